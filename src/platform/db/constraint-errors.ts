// Postgres constraint violations, recognised whichever driver raised them, and turned into the
// domain's AppError in one place: a repository names the error each violation means, and any
// other failure passes through unchanged.
import type { AppError } from '../http/errors.ts';

const SQLSTATE = { unique: '23505', foreignKey: '23503' } as const;

export type ConstraintViolation = keyof typeof SQLSTATE;

/** Which constraint the error violated, if any (drizzle wraps the driver's error in `cause`). */
export function constraintViolationOf(error: unknown): ConstraintViolation | undefined {
  const cause = error instanceof Error && error.cause ? error.cause : error;
  const code = (cause as { code?: unknown } | null)?.code;
  if (code === SQLSTATE.unique) return 'unique';
  if (code === SQLSTATE.foreignKey) return 'foreignKey';
  return undefined;
}

export function isUniqueViolation(error: unknown): boolean {
  return constraintViolationOf(error) === 'unique';
}

/** Runs a write; a violation listed in `errors` is thrown as the AppError it maps to. */
export async function mapConstraintErrors<T>(
  write: () => Promise<T>,
  errors: Partial<Record<ConstraintViolation, () => AppError>>,
): Promise<T> {
  try {
    return await write();
  } catch (error) {
    const violation = constraintViolationOf(error);
    const mapped = violation && errors[violation];
    if (mapped) throw mapped();
    throw error;
  }
}
