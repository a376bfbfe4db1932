/** Query-string schemas of the list endpoints (also rendered into /openapi.json). */
import { z } from 'zod';

const intString = (min: number, max: number, def: number) =>
  z.coerce.number().int().min(min).max(max).default(def);

const boolString = z.enum(['true', 'false']).transform((v) => v === 'true');

export const listPersonasQuery = z
  .object({
    limit: intString(1, 100, 50).meta({ description: 'Page size, 1–100 (default 50).' }),
    cursor: z.string().optional().meta({ description: 'next_cursor of the previous page.' }),
    after: z.string().optional().meta({ description: 'Alias of cursor.' }),
    category: z.string().optional().meta({ description: 'Generational, Professional, Lifestyle, Industry (or IndustrySpecific), Expert.' }),
    search: z.string().optional().meta({ description: 'Words that must all appear in the name or description.' }),
    custom: boolString.optional().meta({ description: 'true: only custom personas; false: only built-in.' }),
    is_expert: boolString.optional(),
  })
  .meta({ id: 'ListPersonasQuery' });

export const inputItemsQuery = z
  .object({
    limit: intString(1, 100, 20),
    order: z.enum(['asc', 'desc']).default('desc'),
    after: z.string().optional(),
    include: z.union([z.string(), z.array(z.string())]).optional(),
  })
  .meta({ id: 'InputItemsQuery' });

export const retrieveResponseQuery = z
  .object({
    stream: boolString.optional(),
    starting_after: z.coerce.number().int().min(-1).optional(),
    include: z.union([z.string(), z.array(z.string())]).optional(),
  })
  .meta({ id: 'RetrieveResponseQuery' });
