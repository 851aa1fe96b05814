// The customers module's job: a privacy export, everything held on one person as one JSON
// document in the job's result (GET /api/v1/jobs/{jobId} returns it).
import { z } from 'zod';

import type { JobKind } from '../jobs/index.ts';
import { CUSTOMER_EXPORT_JOB } from './service.ts';

const ExportInput = z.object({ customerId: z.uuid() });

export function customerExportJob(
  exportDocument: (businessId: string, customerId: string) => Promise<Record<string, unknown>>,
): JobKind<z.infer<typeof ExportInput>> {
  return {
    kind: CUSTOMER_EXPORT_JOB,
    input: ExportInput,
    timeLimitMs: 10 * 60_000,
    async run({ businessId, input, progress }) {
      await progress(10, 'Collecting everything held on this customer');
      const document = await exportDocument(businessId, input.customerId);
      return { customerId: input.customerId, document };
    },
  };
}
