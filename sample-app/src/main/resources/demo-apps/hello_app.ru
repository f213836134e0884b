# The demo's Ruby application: puma serves this Rack application over HTTP on /rb/, spawned by the server like
# php-cgi and uwsgi.
#
# /rb/            a greeting with what the gateway told the application (the request line and forwarded headers)
# /rb/report      the protected report, sent by the server through X-Sendfile (the application only names it)
require 'rack/utils'

SHOWN = %w[REQUEST_METHOD REQUEST_URI HTTP_HOST HTTP_X_FORWARDED_FOR HTTP_X_FORWARDED_PROTO HTTP_X_FORWARDED_HOST
           HTTP_FORWARDED SERVER_SOFTWARE].freeze

run lambda { |env|
  if env['PATH_INFO'].chomp('/').end_with?('/report')
    report = File.join(ENV.fetch('DEMO_PROTECTED', '/nonexistent'), 'report.txt')
    next [200, { 'Content-Type' => 'text/plain; charset=utf-8', 'X-Sendfile' => report }, ['']]
  end
  rows = SHOWN.map { |name| "<tr><th>#{name}</th><td>#{Rack::Utils.escape_html(env[name].to_s)}</td></tr>" }.join
  page = '<!DOCTYPE html><title>Ruby over HTTP</title><h1>Hello from Ruby over HTTP</h1>' \
         "<table>#{rows}</table>"
  [200, { 'Content-Type' => 'text/html; charset=utf-8', 'Content-Length' => page.bytesize.to_s }, [page]]
}
