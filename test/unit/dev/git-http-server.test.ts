import { describe, expect, it } from 'vitest';
import { parseCgiHeaders } from '../../../src/dev/cluster/git-http-server.js';

/** The CGI response head `git http-backend` writes, mapped to an HTTP status and headers. */
describe('parseCgiHeaders', () => {
  it('takes the status from the Status line and leaves it out of the headers', () => {
    expect(parseCgiHeaders('Status: 404 Not Found\r\nContent-Type: text/plain')).toEqual({
      status: 404,
      headers: { 'Content-Type': 'text/plain' },
    });
  });

  it('reads the Status line whatever its case', () => {
    expect(parseCgiHeaders('status: 403 Forbidden').status).toBe(403);
    expect(parseCgiHeaders('STATUS: 500 Internal Server Error').status).toBe(500);
  });

  it('passes every other header through with its name and value, trimmed', () => {
    const head = [
      'Expires: Fri, 01 Jan 1980 00:00:00 GMT',
      'Pragma: no-cache',
      'Cache-Control: no-cache, max-age=0, must-revalidate',
      'Content-Type:   application/x-git-upload-pack-advertisement  ',
    ].join('\r\n');
    expect(parseCgiHeaders(head)).toEqual({
      status: 200,
      headers: {
        Expires: 'Fri, 01 Jan 1980 00:00:00 GMT',
        Pragma: 'no-cache',
        'Cache-Control': 'no-cache, max-age=0, must-revalidate',
        'Content-Type': 'application/x-git-upload-pack-advertisement',
      },
    });
  });

  it('reads CRLF and bare LF line endings alike', () => {
    const lines = ['Status: 403 Forbidden', 'Content-Type: text/plain', 'Pragma: no-cache'];
    const crlf = parseCgiHeaders(lines.join('\r\n'));
    const lf = parseCgiHeaders(lines.join('\n'));
    expect(crlf).toEqual({ status: 403, headers: { 'Content-Type': 'text/plain', Pragma: 'no-cache' } });
    expect(lf).toEqual(crlf);
  });

  it('answers 200 when there is no Status line', () => {
    expect(parseCgiHeaders('Content-Type: application/x-git-upload-pack-result\n')).toEqual({
      status: 200,
      headers: { 'Content-Type': 'application/x-git-upload-pack-result' },
    });
    expect(parseCgiHeaders('')).toEqual({ status: 200, headers: {} });
  });

  it('keeps the colons of a value that holds some', () => {
    expect(parseCgiHeaders('Location: http://127.0.0.1:8080/iac.git').headers).toEqual({ Location: 'http://127.0.0.1:8080/iac.git' });
  });

  it('ignores lines that are not headers', () => {
    expect(parseCgiHeaders('no colon here\n: no name\nPragma: no-cache')).toEqual({ status: 200, headers: { Pragma: 'no-cache' } });
  });

  it('answers 500 for a Status line without a number', () => {
    expect(parseCgiHeaders('Status: broken').status).toBe(500);
  });
});
