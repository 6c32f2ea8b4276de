/**
 * An API failure with Toxiproxy's body `{"error": message, "status": code}`. Clients match on
 * these messages, so they are Toxiproxy's, word for word; details are appended after ": " as
 * Toxiproxy's joinError does (`bad request body: ...`, `missing required field: name`).
 */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    prefix?: string,
  ) {
    super(prefix ? `${prefix}: ${message}` : message);
  }

  body(): { error: string; status: number } {
    return { error: this.message, status: this.status };
  }
}

export const proxyNotFound = (): ApiError => new ApiError('proxy not found', 404);
export const proxyAlreadyExists = (): ApiError => new ApiError('proxy already exists', 409);
export const toxicNotFound = (): ApiError => new ApiError('toxic not found', 404);
export const toxicAlreadyExists = (): ApiError => new ApiError('toxic already exists', 409);
export const invalidToxicType = (): ApiError => new ApiError('invalid toxic type', 400);
export const invalidStream = (): ApiError => new ApiError('stream was invalid, can be either upstream or downstream', 400);
export const missingField = (field: string): ApiError => new ApiError(field, 400, 'missing required field');
export const badBody = (detail: string): ApiError => new ApiError(detail, 400, 'bad request body');
