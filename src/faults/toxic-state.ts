/** A toxic as the API shows it; the object is shared by every live link, so updates reach them. */
export interface ToxicState {
  name: string;
  type: string;
  stream: 'upstream' | 'downstream';
  toxicity: number;
  attributes: Record<string, number>;
}

/** Toxiproxy's JSON for a toxic, fields in its order. */
export function toxicJson(t: ToxicState): Record<string, unknown> {
  return { attributes: { ...t.attributes }, name: t.name, type: t.type, stream: t.stream, toxicity: t.toxicity };
}
