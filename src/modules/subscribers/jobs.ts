// The subscribers module's job: a CSV import (import-job.ts reads, checks and writes the rows).
import { z } from 'zod';

import type { JobKind } from '../jobs/index.ts';
import {
  createSubscriberImporter,
  type ImporterOptions,
  SUBSCRIBER_IMPORT_JOB,
} from './import-job.ts';
import { ImportColumn } from './schemas.ts';

const ImportInput = z.object({ importId: z.uuid(), columns: z.array(ImportColumn).optional() });

export function subscriberImportJob(
  options: ImporterOptions,
): JobKind<z.infer<typeof ImportInput>> {
  const importSubscribers = createSubscriberImporter(options);
  return {
    kind: SUBSCRIBER_IMPORT_JOB,
    input: ImportInput,
    timeLimitMs: 30 * 60_000,
    run: ({ businessId, input, progress, signal }) =>
      importSubscribers({
        businessId,
        importId: input.importId,
        columns: input.columns,
        progress,
        signal,
      }),
  };
}
