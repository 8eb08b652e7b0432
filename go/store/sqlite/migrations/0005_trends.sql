-- 0005_trends: the window scans of trending tags and statuses and of tag
-- history read public non-reblog statuses by created_at. The partial index
-- matches their WHERE clause term for term (SQLite uses a partial index
-- only then) and stays small: nothing but public originals are in it.

CREATE INDEX statuses_public_created_at_idx ON statuses (created_at)
    WHERE visibility = 'public' AND reblog_of_id IS NULL;
