-- The overlap checks read the full (instructor_id, start_at) and (student_id, start_at)
-- indexes just as well; the partial copies only cost page writes on every booking.
DROP INDEX bookings_instructor_busy;
DROP INDEX bookings_student_busy;
