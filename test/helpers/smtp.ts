/**
 * A real local SMTP server for the e-mail channel's tests (smtp-server, no TLS, any login
 * accepted): each message it receives is handed over raw, with its envelope and the login used.
 */
import { SMTPServer } from 'smtp-server';

export interface SmtpMessage {
  mailFrom: string;
  rcptTo: string[];
  /** the username of the login, if the client logged in */
  user: string | undefined;
  raw: string;
}

/** The server (not yet listening); `onMessage` gets every message received. */
export function localSmtp(onMessage: (m: SmtpMessage) => void): SMTPServer {
  return new SMTPServer({
    authOptional: true,
    allowInsecureAuth: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    disableReverseLookup: true,
    onAuth(auth, _session, callback) {
      callback(null, { user: auth.username });
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        onMessage({
          mailFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          rcptTo: session.envelope.rcptTo.map((a) => a.address),
          user: typeof session.user === 'string' ? session.user : undefined,
          raw: Buffer.concat(chunks).toString('utf8'),
        });
        callback();
      });
    },
  });
}
