// MCP resources: a business's campaigns, content pieces, sequences, customers and segments as
// `herald://businesses/{businessId}/{kind}` (a list) and `…/{kind}/{id}` (one item). Each is read
// through the read tool of the same data (list_campaigns, get_campaign, …), so a resource shows
// exactly what the tool would, under the same access check.

export const RESOURCE_KINDS = [
  'campaigns',
  'content',
  'sequences',
  'customers',
  'segments',
] as const;
export type ResourceKind = (typeof RESOURCE_KINDS)[number];

interface KindDeclaration {
  title: string;
  description: string;
  listTool: string;
  getTool: string;
  /** The get tool's id argument. */
  idField: string;
}

export const RESOURCE_DECLARATIONS: Record<ResourceKind, KindDeclaration> = {
  campaigns: {
    title: 'Campaigns',
    description: "The business's campaigns, newest first, with status, dates and progress",
    listTool: 'list_campaigns',
    getTool: 'get_campaign',
    idField: 'campaignId',
  },
  content: {
    title: 'Content pieces',
    description: 'Content pieces (posts, emails, blog drafts), newest first, with their status',
    listTool: 'list_content',
    getTool: 'get_content',
    idField: 'contentId',
  },
  sequences: {
    title: 'Email sequences',
    description: 'Email drip sequences with their status and steps',
    listTool: 'list_sequences',
    getTool: 'get_sequence',
    idField: 'sequenceId',
  },
  customers: {
    title: 'Customers',
    description: 'Customer profiles built from tracked events, with their latest scores',
    listTool: 'list_customers',
    getTool: 'get_customer',
    idField: 'customerId',
  },
  segments: {
    title: 'Segments',
    description: 'Saved customer segments with their rules and size',
    listTool: 'list_segments',
    getTool: 'get_segment',
    idField: 'segmentId',
  },
};

/** How many items a list resource holds (the tools' maximum). */
export const RESOURCE_LIST_LIMIT = 50;

export const listUri = (businessId: string, kind: ResourceKind) =>
  `herald://businesses/${businessId}/${kind}`;

export interface ResourceAddress {
  businessId: string;
  kind: ResourceKind;
  itemId: string | undefined;
}

const URI = /^herald:\/\/businesses\/([^/?#]+)\/([a-z]+)(?:\/([^/?#]+))?$/;

/** What a `herald://` URI names, or undefined for a URI this server does not serve. */
export function parseResourceUri(uri: string): ResourceAddress | undefined {
  const match = URI.exec(uri);
  if (!match) return undefined;
  const [, businessId = '', kind = '', itemId] = match;
  if (!(RESOURCE_KINDS as readonly string[]).includes(kind)) return undefined;
  return {
    businessId: decodeURIComponent(businessId),
    kind: kind as ResourceKind,
    itemId: itemId === undefined ? undefined : decodeURIComponent(itemId),
  };
}

/** The URI templates: one list and one item template per kind. */
export function resourceTemplates() {
  return RESOURCE_KINDS.flatMap((kind) => {
    const declaration = RESOURCE_DECLARATIONS[kind];
    return [
      {
        uriTemplate: `herald://businesses/{businessId}/${kind}`,
        name: kind,
        title: declaration.title,
        description: `${declaration.description} (up to ${String(RESOURCE_LIST_LIMIT)}).`,
        mimeType: 'application/json',
      },
      {
        uriTemplate: `herald://businesses/{businessId}/${kind}/{${declaration.idField}}`,
        name: `${kind}-item`,
        title: `One of ${declaration.title.toLowerCase()}`,
        description: `One item of ${kind}, as ${declaration.getTool} returns it.`,
        mimeType: 'application/json',
      },
    ];
  });
}
