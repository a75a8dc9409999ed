-- The platform's visible-review totals in one row, kept in the same write as `review_stats`,
-- so a rating (which needs the platform mean) costs one row read instead of a sum over every
-- instructor's stats.
CREATE TABLE review_platform (
    id           INTEGER PRIMARY KEY CHECK (id = 1),
    review_count INTEGER NOT NULL CHECK (review_count >= 0),
    rating_sum   INTEGER NOT NULL CHECK (rating_sum BETWEEN review_count AND 5 * review_count)
) STRICT;
INSERT INTO review_platform (id, review_count, rating_sum)
SELECT 1, COALESCE(SUM(review_count), 0), COALESCE(SUM(rating_sum), 0) FROM review_stats;
