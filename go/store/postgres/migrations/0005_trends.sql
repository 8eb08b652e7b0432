-- 0005_trends: the window scans of trending tags and statuses and of tag
-- history read public non-reblog statuses by created_at; hashtag search
-- reads status_tags by a name range.

CREATE INDEX statuses_public_created_at_idx ON statuses (created_at)
    WHERE visibility = 'public' AND reblog_of_id IS NULL;

-- Tag search compares names byte-wise (COLLATE "C", code-point order for
-- UTF-8), whatever the database's collation; a range on the default-collated
-- status_tags_name_status_id_idx would not be code-point order everywhere.
CREATE INDEX status_tags_name_c_idx ON status_tags (name COLLATE "C");
