-- Which partner a token was pushed to, by token: the token list shows a per-charge ad-hoc token only to the CPO
-- of that charge (the partner it was pushed to).
create index ocpi_token_pushes_token on ocpi_token_pushes (uid, type, partner_id);
