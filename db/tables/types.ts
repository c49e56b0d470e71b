/** The column kinds of db/tables.ts as the drivers return them. */

/** A boolean column as the drivers return it. */
export type SqlBool = boolean | 0 | 1;
/** Epoch milliseconds (bigint column). */
export type EpochMs = number;
/** JSON stored as text. */
export type Json = string;
