# Echo application that the puma peer of lighttpd-spring-boot's tests serves over HTTP (Puma.java).
#
# A JSON description of what arrived: method, requestUri (the raw target), path, query, serverProtocol, headers
# (every HTTP_* variable), contentLength, bodyLength, bodySha256, and peerPort (the port of the connection puma read
# the request from, so that a test can count connections). ?status=N sets the status, ?stream=N answers N bytes
# (0..255 repeated) in 64 KiB pieces without Content-Length (chunked), ?sendfile=PATH answers an empty body that
# names PATH in X-Sendfile, ?hop=1 adds hop-by-hop headers to the answer.
require 'digest'
require 'json'
require 'rack/utils'

PIECE = (0..255).map(&:chr).join.b * 256

def stream(remaining)
  Enumerator.new do |out|
    while remaining > 0
      piece = PIECE[0, [remaining, PIECE.bytesize].min]
      remaining -= piece.bytesize
      out << piece
    end
  end
end

run lambda { |env|
  query = Rack::Utils.parse_query(env['QUERY_STRING'] || '')
  status = (query['status'] || '200').to_i
  body = env['rack.input'].read || ''
  if query['sendfile']
    next [status, { 'Content-Type' => 'text/plain', 'X-Sendfile' => query['sendfile'] }, ['']]
  end
  if query['stream']
    next [status, { 'Content-Type' => 'application/octet-stream' }, stream(query['stream'].to_i)]
  end
  socket = env['puma.socket']
  echo = {
    'method' => env['REQUEST_METHOD'],
    'requestUri' => env['REQUEST_URI'],
    'path' => env['PATH_INFO'],
    'query' => env['QUERY_STRING'],
    'serverProtocol' => env['SERVER_PROTOCOL'] || env['HTTP_VERSION'],
    'headers' => env.select { |name, _| name.start_with?('HTTP_') },
    'contentLength' => env['CONTENT_LENGTH'],
    'bodyLength' => body.bytesize,
    'bodySha256' => Digest::SHA256.hexdigest(body),
    'peerPort' => (socket.respond_to?(:remote_address) ? socket.remote_address.ip_port : nil),
  }
  answer = JSON.generate(echo)
  headers = { 'Content-Type' => 'application/json', 'Content-Length' => answer.bytesize.to_s }
  if query['hop']
    headers['Keep-Alive'] = 'timeout=5'
    headers['X-Private-Hop'] = 'secret'
    headers['Connection'] = 'X-Private-Hop'
  end
  [status, headers, [answer]]
}
