// The platforms a campaign runs on (its channels) and content is written for. Campaigns owns the
// schema; the content module gives each platform its shape and limits.
import { z } from 'zod';

import { PLATFORMS } from '../../shared/limits.ts';

export const Platform = z.enum(PLATFORMS).meta({ id: 'Platform', example: 'linkedin' });
export type Platform = z.infer<typeof Platform>;
