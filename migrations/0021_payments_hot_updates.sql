-- Payment changes as heap-only (HOT) updates. Every change of a payment's state (four per capture: the intent, the
-- answer, two TransactionStatus notifications) was a non-HOT update, writing a new entry into each of the table's
-- five indexes: two of them named `state` (the live-payment rule's predicate and the back-office index), and
-- PostgreSQL updates in place only when no indexed or predicate column changes. Now:
-- - the rule "at most one live payment per charging session" is a unique index on a generated column that holds
--   session_ref while the payment is live and null once it is failed or released: it changes only then;
-- - the back office lists payments newest first by created_at (a state filter reads that order and filters);
-- - pages keep room for the new versions (fillfactor 70: a payment is changed about five times in its life).
alter table payments add column live_session_ref text
  generated always as (case when state in ('failed', 'released') then null else session_ref end) stored;
create unique index payments_live_session on payments (live_session_ref);
drop index payments_session_live;
drop index payments_state;
create index payments_created on payments (created_at desc, id);
alter table payments set (fillfactor = 70);
