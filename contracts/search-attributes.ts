/**
 * Search attributes the app writes. They hold opaque ids only, never student data.
 * temporal-dev.sh registers the same names; keep the two lists equal.
 */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

export const SemesterIdKey = defineSearchAttributeKey('SemesterId', SearchAttributeType.KEYWORD);
export const CollegeIdKey = defineSearchAttributeKey('CollegeId', SearchAttributeType.KEYWORD);
export const TaskKindKey = defineSearchAttributeKey('TaskKind', SearchAttributeType.KEYWORD);
export const EscalationLevelKey = defineSearchAttributeKey('EscalationLevel', SearchAttributeType.INT);

export const ALL_SEARCH_ATTRIBUTES = [SemesterIdKey, CollegeIdKey, TaskKindKey, EscalationLevelKey];
