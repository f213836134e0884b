package dev.lighttpdboot.gateway.fastcgi;

/**
 * The application did not understand a management record the client sent: an {@code UNKNOWN_TYPE} record.
 *
 * @param type the type code of the record the application did not understand
 */
public record FastCgiUnknownType(int type) implements FastCgiResponsePart {

}
