/**
 * AJP13, the Apache JServ Protocol 1.3 that Tomcat's AJP connector speaks: a codec for its packets, the exchange
 * of one forward request (body on GET_BODY_CHUNK, response in SEND_HEADERS and SEND_BODY_CHUNK, END_RESPONSE with
 * its reuse flag), and CPING/CPONG as the probe of a disabled backend.
 */
@NullMarked
package dev.lighttpdboot.gateway.ajp13;

import org.jspecify.annotations.NullMarked;
