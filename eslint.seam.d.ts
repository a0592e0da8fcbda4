import type { Linter } from 'eslint';

export declare const seamRules: Linter.RulesRecord;
export declare const sizeRules: Linter.RulesRecord;
