/** A request the browser answers with an error status (400, 404) and a short message that holds no row data. */
export class BrowserRequestError extends Error {
  override readonly name = 'BrowserRequestError';
  readonly status: number;

  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }

  /** 400 naming the query parameter and what it must be. */
  static badParameter(name: string, expected: string): BrowserRequestError {
    return new BrowserRequestError(400, `Query parameter '${name}' must be ${expected}.`);
  }

  static notFound(what: string): BrowserRequestError {
    return new BrowserRequestError(404, `${what} is not shown in this history browser.`);
  }
}
