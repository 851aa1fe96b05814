// The services the agents' tools act through: each module's own service, the one its routes call,
// so a tool is held to the same access checks, validation and workflow rules as the API.
import type { WebSearch } from '../../../platform/web-search.ts';
import type { AnalyticsService } from '../../analytics/index.ts';
import type { CampaignService } from '../../campaigns/index.ts';
import type { ContentService } from '../../content/index.ts';
import type { CustomerService } from '../../customers/index.ts';
import type { IntelligenceService, QuestionService } from '../../intelligence/index.ts';
import type { KnowledgeService } from '../../knowledge/index.ts';
import type { SegmentService } from '../../segments/index.ts';
import type { SequenceService } from '../../sequences/index.ts';
import type { SubscriberService } from '../../subscribers/index.ts';

/** runtime.ts's services of the same names (`runtime.services` satisfies it). */
export interface AgentToolServices {
  campaigns: CampaignService;
  contents: ContentService;
  analytics: AnalyticsService;
  sequences: SequenceService;
  subscribers: SubscriberService;
  customers: CustomerService;
  segments: SegmentService;
  intelligence: IntelligenceService;
  questions: QuestionService;
  knowledge: KnowledgeService;
  /** Undefined when no search provider is configured (search_web then says so). */
  webSearch: WebSearch | undefined;
}
