-- 0110_foryou: the For-you recommender trains on the newest favourites and
-- boosts (ListRecentInteractions). Favourites are read by their primary
-- key; boosts need an index on id restricted to reblogs, or the newest
-- boosts would be found by scanning every status.

CREATE INDEX statuses_reblogs_id_idx ON statuses (id DESC) WHERE reblog_of_id IS NOT NULL;
