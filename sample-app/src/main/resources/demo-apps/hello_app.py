"""The demo's Python application: uwsgi serves it over SCGI on /py/, spawned by the server like php-cgi.

/py/            a greeting with what the gateway told the application (its CGI environment)
/py/report      the protected report, sent by the server through X-Sendfile (the application only names it)
"""
import html
import os


def application(environ, start_response):
    path = environ.get('SCRIPT_NAME', '') + environ.get('PATH_INFO', '')
    if path.rstrip('/').endswith('/report'):
        report = os.path.join(os.environ.get('DEMO_PROTECTED', '/nonexistent'), 'report.txt')
        start_response('200 OK', [('Content-Type', 'text/plain; charset=utf-8'), ('X-Sendfile', report)])
        return [b'']
    shown = ('REQUEST_METHOD', 'REQUEST_URI', 'SCRIPT_NAME', 'PATH_INFO', 'QUERY_STRING', 'REMOTE_ADDR',
             'SERVER_SOFTWARE', 'SCGI')
    rows = ''.join('<tr><th>%s</th><td>%s</td></tr>' % (name, html.escape(environ.get(name, '')))
                   for name in shown)
    page = ('<!DOCTYPE html><title>Python over SCGI</title><h1>Hello from Python over SCGI</h1>'
            '<table>%s</table>' % rows).encode('utf-8')
    start_response('200 OK', [('Content-Type', 'text/html; charset=utf-8'), ('Content-Length', str(len(page)))])
    return [page]
