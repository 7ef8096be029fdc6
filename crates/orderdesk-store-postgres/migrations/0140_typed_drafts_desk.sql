-- A typed draft at the desk (#21): when it was made (its lifetime counts
-- from then; NULL for drafts kept before this, read as expired), the
-- customer's words the reader could not place (one a line), and whether a
-- person has it ("Change", or words nobody could place) so staff can edit
-- it and send it back.
ALTER TABLE typed_drafts ADD COLUMN made_at BIGINT;
ALTER TABLE typed_drafts ADD COLUMN unplaced TEXT NOT NULL DEFAULT '';
ALTER TABLE typed_drafts ADD COLUMN at_desk BIGINT NOT NULL DEFAULT 0;
