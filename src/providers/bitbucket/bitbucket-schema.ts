/**
 * The fields of Bitbucket Cloud 2.0 answers that the provider reads, and no more: permissive
 * (unknown fields pass, optional ones may be absent or null), so a field Bitbucket adds or drops
 * elsewhere never breaks a sync.
 */
import { z } from 'zod';
import { parseHostBody } from '../parse-body.js';

const optionalString = z.string().nullish();

/** Every list answer: `{ values, pagelen, size?, page?, next? }`. */
export function paginated<T extends z.ZodType>(value: T) {
  return z.object({
    values: z.array(value),
    size: z.number().nullish(),
    next: optionalString,
  });
}

export const bitbucketRepositorySchema = z.object({
  uuid: z.string(),
  full_name: z.string(),
  is_private: z.boolean().nullish(),
  links: z.object({ html: z.object({ href: z.string() }) }),
  mainbranch: z.object({ name: z.string() }).nullish(),
});
export type BitbucketRepository = z.infer<typeof bitbucketRepositorySchema>;

export const bitbucketBranchSchema = z.object({
  name: z.string(),
  target: z.object({ hash: z.string(), date: optionalString }),
});

export const bitbucketReportSchema = z.object({
  uuid: z.string(),
  external_id: optionalString,
  title: optionalString,
  report_type: optionalString,
  reporter: optionalString,
  result: optionalString,
  link: optionalString,
  created_on: optionalString,
  updated_on: optionalString,
});
export type BitbucketReport = z.infer<typeof bitbucketReportSchema>;
export const bitbucketReportListSchema = paginated(bitbucketReportSchema);

export const bitbucketAnnotationSchema = z.object({
  uuid: z.string(),
  external_id: optionalString,
  annotation_type: optionalString,
  summary: optionalString,
  details: optionalString,
  severity: optionalString,
  result: optionalString,
  path: optionalString,
  line: z.number().nullish(),
  link: optionalString,
  created_on: optionalString,
  updated_on: optionalString,
});
export type BitbucketAnnotation = z.infer<typeof bitbucketAnnotationSchema>;
export const bitbucketAnnotationListSchema = paginated(bitbucketAnnotationSchema);

/** A body we cannot read is a `bad_response` that says which answer and which field, not a crash further down. */
export function parseBitbucketBody<T>(schema: z.ZodType<T>, data: unknown, context: { repo: string; what: string }): T {
  return parseHostBody({ kind: 'bitbucket', label: 'Bitbucket' }, schema, data, context);
}
