-- Schema version 7: clerk accounts (issue 6). A clerk row without a password is the set-up clerk of
-- `init` (set-up mode); once an active account has a password, every action needs a session.
ALTER TABLE clerks ADD COLUMN role TEXT NOT NULL DEFAULT 'clerk' CHECK (role IN ('clerk', 'head', 'admin'));
ALTER TABLE clerks ADD COLUMN password_hash TEXT;   -- argon2id, PHC string
ALTER TABLE clerks ADD COLUMN pin_hash TEXT;        -- argon2id, PHC string
ALTER TABLE clerks ADD COLUMN failed_pins INTEGER NOT NULL DEFAULT 0;
ALTER TABLE clerks ADD COLUMN active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1));
