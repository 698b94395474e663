/** The OpenAPI 3.1 description of the website's JSON (and markdown) API, served as api/openapi.json. */
import { dashboardPaths, dashboardSchemas } from './dashboard-openapi.js';
import { FILTER_LABELS, FILTER_NAMES } from './filters.js';
import { MAX_VALUE_LENGTH } from './validation.js';

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
  const nameParameter = {
    name: 'name',
    in: 'path',
    required: true,
    description: 'The RequestName of the workflow',
    schema: { type: 'string', maxLength: MAX_VALUE_LENGTH },
  };
  const storedDocument = {
    summary: 'One stored workflow document',
    description: 'The document as stored in the requests database, keys sorted, indented.',
    parameters: [nameParameter],
    responses: {
      200: {
        description: 'The document',
        content: json({ $ref: '#/components/schemas/Workflow' }),
      },
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
          summary: 'All workflow documents matching a filter (all workflows without one)',
          description:
            'Streamed as one JSON array. Results filtered by prepid, output_dataset, input_dataset or request are sorted by the date-time part of RequestName; others are in RequestName order.',
          parameters: filterParameters,
          responses: {
            200: {
              description: 'The documents',
              content: json({ type: 'array', items: { $ref: '#/components/schemas/Workflow' } }),
            },
            400: errorResponse(
              'A parameter is malformed (repeated, an array, too long, control characters)',
            ),
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
          summary: 'Redirects to the list filtered by the first filter that matches q',
          description:
            'Tried in order: prepid, output_dataset, input_dataset, campaign, type, processing_string, request; else workflow_name.',
          parameters: [
            {
              name: 'q',
              in: 'query',
              required: false,
              schema: { type: 'string', maxLength: MAX_VALUE_LENGTH },
            },
          ],
          responses: {
            302: { description: 'To the filtered list' },
            400: errorResponse('q is malformed'),
          },
        },
      },
      [`${prefix}/api/update`]: {
        post: {
          operationId: 'update',
          summary: 'Update one workflow from ReqMgr2 and DBS now',
          description:
            'Only when the server has STATS_UPDATE_TOKEN configured (else 404), for callers sending that token; rate-limited per client address.',
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
            429: errorResponse('Too many update requests from this address (see Retry-After)'),
            500: errorResponse('The update failed; the message says why'),
            503: errorResponse('This server has no updater'),
          },
        },
      },
      ...dashboardPaths(prefix),
      '/healthz': {
        get: {
          operationId: 'health',
          summary: 'Whether CouchDB answers and the workflow index is fresh',
          responses: {
            200: { description: 'Healthy' },
            503: { description: 'Not healthy; the body says what is wrong' },
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
