-- Indexes for the identity housekeeping (purge of expired sessions, reset tokens and old failed sign-ins).
create index user_sessions_expiry on user_sessions (expires_at);
create index user_sessions_last_seen on user_sessions (last_seen_at);
create index password_reset_tokens_expiry on password_reset_tokens (expires_at);
create index signin_failures_failed_at on signin_failures (failed_at);
