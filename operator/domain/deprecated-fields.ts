import type { GravixPipeline } from '../../crds/gravix-pipeline.js';

export const CUBE_REMOVED =
  'Cube was removed (docs/adr/0068); its children are deleted and nothing replaces them';

/** Fields an older release used that this one accepts and ignores (so old objects stay valid). */
export function deprecatedFieldsSet(pipeline: GravixPipeline): string[] {
  const { cube, images } = pipeline.spec;
  return [
    ...(cube.enabled ? ['spec.cube.enabled'] : []),
    ...(images.cube !== undefined ? ['spec.images.cube'] : []),
  ];
}

/** The one wording of the Warning Event and the Deprecated condition: which fields, and why they do nothing. */
export function describeDeprecatedFields(fields: string[]): string {
  return `${fields.join(', ')} ignored: ${CUBE_REMOVED}; remove ${fields.length > 1 ? 'them' : 'it'} from the spec`;
}
