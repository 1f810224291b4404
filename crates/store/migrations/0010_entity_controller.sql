-- 控股股东或实际控制人: the code (USCC or ID number) an entity declared, '' when none; the warning
-- engine compares it across the bidders of a lot (招标投标法实施条例 第34条).
ALTER TABLE entities ADD COLUMN controller TEXT NOT NULL DEFAULT '';
