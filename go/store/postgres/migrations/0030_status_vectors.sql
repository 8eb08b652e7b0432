-- 0030_status_vectors: status vectors per embedder (model and version), so
-- changing the embedder re-embeds beside the old vectors instead of over
-- them. The vectors go with their status. Existing vectors came from the
-- built-in feature-hashing embedder (256 dimensions).

CREATE TABLE status_vectors (
    embedder  text   NOT NULL,
    status_id bigint NOT NULL REFERENCES statuses (id) ON DELETE CASCADE,
    vector    bytea  NOT NULL, -- little-endian float32
    PRIMARY KEY (embedder, status_id)
);

CREATE INDEX status_vectors_status ON status_vectors (status_id);

INSERT INTO status_vectors (embedder, status_id, vector)
SELECT 'hash-v1-256', id, embedding FROM statuses WHERE embedding IS NOT NULL AND length(embedding) = 1024;
