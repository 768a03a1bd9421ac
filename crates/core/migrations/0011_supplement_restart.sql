-- Version 11 (issue 14): the supplement clock restarts by default (Decree 118/2025 art. 17(3) as
-- amended by Decree 309/2026). Saving the settings screen stored every key, so a counter that never
-- chose the rule holds the old default 'resume': it moves to 'restart' once. A counter that wants the
-- old rule sets it again (`motcua settings set supplement_clock resume`; docs/lifecycle.md).
UPDATE settings SET value = 'restart' WHERE key = 'supplement_clock' AND value = 'resume';
