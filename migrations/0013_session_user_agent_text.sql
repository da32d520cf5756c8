-- A session remembers the browser's User-Agent as sent, which is not always ASCII (the rest of
-- refresh_tokens is: hashes and ids). Any other byte made the sign-in fail.
ALTER TABLE refresh_tokens MODIFY user_agent VARCHAR(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci NOT NULL DEFAULT '';
