/** The OpenAPI 3.1 description of the website's JSON (and markdown) API, served as api/openapi.json. */
import { dashboardPaths, dashboardSchemas } from './dashboard-openapi.js';
import { FILTER_LABELS, FILTER_NAMES } from '../read-model/filters.js';
import { MAX_VALUE_LENGTH } from '../read-model/workflow-names.js';

const json = (schema: object) => ({ 'application/json': { schema } });
const errorResponse = (description: string) => ({
  description,
  content: json({ $ref: '#/components/schemas/Error' }),
});

export function openApiDocument(prefix: string): object {
  const filterParameters = FILTER_NAMES.map((name) => ({
    name,
    in: 'query',
    required: false,
    description: `Only workflows with this ${FILTER_LABELS[name]}. When several filters are given, the first in the order ${FILTER_NAMES.join(', ')} applies.`,
    schema: { type: 'string', maxLength: MAX_VALUE_LENGTH },
  }));
  const searchQuery = {
    name: 'q',
    in: 'query',
    required: false,
    schema: { type: 'string', maxLength: MAX_VALUE_LENGTH },
  };
  const nameParameter = {
    name: 'name',
    in: 'path',
    required: true,
    description: 'The RequestName of the workflow',
    schema: { type: 'string', maxLength: MAX_VALUE_LENGTH },
  };
  const storedDocument = {
    summary: 'One stored workflow document',
    description:
      'The document as stored in the requests database, keys sorted, indented. The ETag is the document revision (`_rev`): send it back in If-None-Match to get 304 while it is current.',
    parameters: [
      nameParameter,
      {
        name: 'If-None-Match',
        in: 'header',
        required: false,
        description: 'An ETag received earlier',
        schema: { type: 'string' },
      },
    ],
    responses: {
      200: {
        description: 'The document',
        headers: { ETag: { schema: { type: 'string' }, description: 'The quoted `_rev`' } },
        content: json({ $ref: '#/components/schemas/Workflow' }),
      },
      304: { description: 'The document still has the revision given in If-None-Match' },
      404: {
        description: 'No such workflow: the body is `{}`',
        content: json({ type: 'object', maxProperties: 0 }),
      },
    },
  };
  return {
    openapi: '3.1.0',
    info: {
      title: 'Stats2',
      version: '2',
      description:
        'CMS production workflows and the event counts of their output datasets. Read-only, except the token-protected update endpoint. Errors are JSON objects `{error, message}`.',
    },
    paths: {
      [`${prefix}/get_json/{name}`]: { get: { ...storedDocument, operationId: 'getJson' } },
      [`${prefix}/api/get_json/{name}`]: { get: { ...storedDocument, operationId: 'apiGetJson' } },
      [`${prefix}/api/fetch`]: {
        get: {
          operationId: 'fetch',
          summary: 'All workflow documents matching a filter',
          description:
            'Streamed as one JSON array. One filter is required (without one the answer would be the whole database) and no other parameter is accepted. Results filtered by prepid, output_dataset, input_dataset or request are sorted by the date-time part of RequestName; others are in RequestName order.',
          parameters: filterParameters,
          responses: {
            200: {
              description: 'The documents',
              content: json({ type: 'array', items: { $ref: '#/components/schemas/Workflow' } }),
            },
            400: errorResponse(
              'No filter, an unknown parameter, or a malformed one (repeated, an array, too long, control characters)',
            ),
            503: errorResponse('The website is starting (see Retry-After)'),
          },
        },
      },
      [`${prefix}/md`]: {
        get: {
          operationId: 'markdown',
          summary: 'A markdown table of up to 500 matching workflows (5 pages)',
          parameters: filterParameters,
          responses: {
            200: {
              description: 'RequestName, InputDataset and OutputDatasets, each linked',
              content: { 'text/plain': { schema: { type: 'string' } } },
            },
            400: errorResponse('A parameter is malformed'),
          },
        },
      },
      [`${prefix}/search`]: {
        get: {
          operationId: 'search',
          summary:
            'Redirects to the filter that has exactly q, else lists the workflows that contain it',
          description:
            'Tried in order: prepid, output_dataset, input_dataset, campaign, type, processing_string, request, workflow_name. Without an exact match, an HTML page lists the workflows that contain q (see api/search).',
          parameters: [
            searchQuery,
            {
              name: 'limit',
              in: 'query',
              required: false,
              schema: { type: 'integer', minimum: 1, maximum: 500 },
            },
          ],
          responses: {
            200: { description: 'An HTML page of the workflows that contain q' },
            302: { description: 'To the filtered list' },
            400: errorResponse('q or limit is malformed'),
          },
        },
      },
      [`${prefix}/api/search`]: {
        get: {
          operationId: 'searchJson',
          summary: 'What search finds, as JSON',
          description:
            'First the filter that has exactly q, in the order prepid, output_dataset, input_dataset, campaign, type, processing_string, request, then a workflow named q (`exact`). Otherwise the workflows in which every whitespace-separated term of q occurs, ignoring case, in the name, PrepID, a request, an output or input dataset, a campaign or the processing string (terms of digits alone: in the name); those with a word starting with each term first, then by name.',
          parameters: [
            { ...searchQuery, required: true },
            {
              name: 'limit',
              in: 'query',
              required: false,
              description: 'How many workflows to list (default 100)',
              schema: { type: 'integer', minimum: 1, maximum: 500 },
            },
          ],
          responses: {
            200: {
              description: 'The exact filter, or the matching workflows',
              content: json({
                type: 'object',
                required: ['query', 'exact', 'count', 'countIsLowerBound', 'workflows'],
                properties: {
                  query: { type: 'string' },
                  exact: {
                    oneOf: [
                      { type: 'null' },
                      {
                        type: 'object',
                        properties: { name: { type: 'string' }, value: { type: 'string' } },
                      },
                    ],
                  },
                  count: { type: 'integer', description: 'Workflows that match (0 with `exact`)' },
                  countIsLowerBound: {
                    type: 'boolean',
                    description: 'The query was too broad to check every candidate',
                  },
                  workflows: { type: 'array', items: { type: 'string' } },
                },
              }),
            },
            400: errorResponse('q is missing or malformed, or limit is out of range'),
            503: errorResponse('The website is starting (see Retry-After)'),
          },
        },
      },
      [`${prefix}/api/update`]: {
        post: {
          operationId: 'update',
          summary: 'Update one workflow from ReqMgr2 and DBS now',
          description:
            'Only when the server has STATS_UPDATE_TOKEN configured (else 404), for callers sending that token. Updates with the token are rate-limited; requests without it are limited per client address (the address a configured proxy names in X-Forwarded-For, STATS_TRUST_PROXY), and never count against the token.',
          security: [{ bearer: [] }],
          parameters: [
            {
              name: 'workflow_name',
              in: 'query',
              required: true,
              schema: { type: 'string', maxLength: MAX_VALUE_LENGTH },
            },
          ],
          responses: {
            200: {
              description: 'The update ran',
              content: json({
                type: 'object',
                required: ['workflow_name', 'changed'],
                properties: { workflow_name: { type: 'string' }, changed: { type: 'boolean' } },
              }),
            },
            400: errorResponse('workflow_name is missing or malformed'),
            401: errorResponse('No bearer token'),
            403: errorResponse('Wrong token'),
            404: errorResponse('Updates are off on this server'),
            405: errorResponse('Not a POST'),
            429: errorResponse(
              'Too many updates, or too many requests without the token from this address (see Retry-After)',
            ),
            500: errorResponse('The update failed; the message says why'),
            503: errorResponse('This server has no updater'),
          },
        },
      },
      ...dashboardPaths(prefix),
      '/healthz': {
        get: {
          operationId: 'health',
          summary: 'Whether every route answers correctly: for load balancers',
          description:
            '`status` is `ok` (200) when CouchDB answers and the workflow index is current and checked; else 503 with `starting` (loading, or serving from its snapshot while it catches up), `stale` (not caught up with the changes feed for a minute) or `unavailable` (CouchDB does not answer: `database unreachable`).',
          responses: {
            200: { description: 'Ready: `{"status": "ok", …}`' },
            503: { description: 'Not ready; `status` says why' },
          },
        },
      },
    },
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
      schemas: {
        ...dashboardSchemas(),
        Error: {
          type: 'object',
          required: ['error', 'message'],
          properties: {
            error: { type: 'string', description: 'Stable code' },
            message: { type: 'string' },
          },
        },
        DatasetSnapshot: {
          type: 'object',
          properties: {
            Type: {
              type: 'string',
              description:
                'DBS access type: VALID, PRODUCTION, INVALID, DELETED, DEPRECATED, NONE…',
            },
            Events: { type: 'integer' },
            Size: { type: 'integer', description: 'Bytes' },
            Lumis: { type: 'integer', description: 'Only for workflows in lumis mode' },
          },
        },
        HistoryEntry: {
          type: 'object',
          properties: {
            Time: { type: 'integer', description: 'Unix seconds' },
            Datasets: {
              type: 'object',
              additionalProperties: { $ref: '#/components/schemas/DatasetSnapshot' },
            },
          },
        },
        Workflow: {
          type: 'object',
          description:
            'A workflow document. Documents written by older versions may lack any field or hold null.',
          properties: {
            _id: { type: 'string' },
            _rev: { type: 'string' },
            RequestName: { type: 'string' },
            RequestType: { type: 'string' },
            RequestPriority: { type: 'integer' },
            RequestTransition: {
              type: 'array',
              items: {
                type: 'object',
                properties: { Status: { type: 'string' }, UpdateTime: { type: 'integer' } },
              },
            },
            PrepID: { type: 'string' },
            AcquisitionEra: {},
            CMSSWVersion: { type: 'string' },
            InputDataset: { type: 'string' },
            OutputDatasets: { type: 'array', items: { type: 'string' } },
            ProcessingString: { type: 'string' },
            LumiList: {
              type: 'object',
              additionalProperties: {
                type: 'array',
                items: { type: 'array', items: { type: 'integer' } },
              },
            },
            SizePerEvent: { type: 'number' },
            TimePerEvent: { type: 'number' },
            Campaigns: { type: 'array', items: { type: 'string' } },
            Requests: { type: 'array', items: { type: 'string' } },
            TotalEvents: { type: 'integer', description: 'Expected events; -1 when unknown' },
            TotalInputLumis: { type: 'integer', description: '-1 when unknown' },
            EventNumberHistory: {
              type: 'array',
              items: { $ref: '#/components/schemas/HistoryEntry' },
            },
            LastUpdate: { type: 'integer', description: 'Unix seconds of the last write' },
          },
        },
      },
    },
  };
}
