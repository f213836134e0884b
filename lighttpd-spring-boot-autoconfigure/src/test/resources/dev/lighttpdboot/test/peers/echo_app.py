"""Echo application that the uwsgi peer of lighttpd-spring-boot's tests serves over FastCGI.

The contract is documented in Echo.java, next to its Java twin JettyEchoHandler.java: a JSON description of what
arrived, ?status=N for the status, ?stream=N for N bytes (0..255 repeated) in 64 KiB pieces without Content-Length, ?sendfile=PATH for an empty answer
that names PATH in X-Sendfile.
"""
import hashlib
import http
import json
import urllib.parse

CGI_VARIABLES = ('SCRIPT_NAME', 'PATH_INFO', 'REQUEST_URI', 'DOCUMENT_URI', 'CONTENT_LENGTH', 'CONTENT_TYPE',
                 'SERVER_PROTOCOL')
PIECE = bytes(range(256)) * 256


def application(environ, start_response):
    query = urllib.parse.parse_qs(environ.get('QUERY_STRING', ''))
    code = int(query.get('status', ['200'])[0])
    try:
        reason = http.HTTPStatus(code).phrase
    except ValueError:
        reason = 'Unknown'
    status = '%d %s' % (code, reason)
    body = environ['wsgi.input'].read()
    if 'sendfile' in query:
        start_response(status, [('X-Sendfile', query['sendfile'][0]), ('Content-Type', 'text/plain')])
        return [b'']
    if 'stream' in query:
        start_response(status, [('Content-Type', 'application/octet-stream')])
        return stream(int(query['stream'][0]))
    echo = {
        'method': environ.get('REQUEST_METHOD', ''),
        'path': environ.get('SCRIPT_NAME', '') + environ.get('PATH_INFO', ''),
        'query': environ.get('QUERY_STRING', ''),
        'cgi': {name: environ[name] for name in CGI_VARIABLES if name in environ},
        'headers': {name: value for name, value in environ.items() if name.startswith('HTTP_')},
        'bodyLength': len(body),
        'bodySha256': hashlib.sha256(body).hexdigest(),
    }
    answer = json.dumps(echo, sort_keys=True).encode('utf-8')
    start_response(status, [('Content-Type', 'application/json'), ('Content-Length', str(len(answer)))])
    return [answer]


def stream(remaining):
    while remaining > 0:
        piece = PIECE[:remaining]
        remaining -= len(piece)
        yield piece
