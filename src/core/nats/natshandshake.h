// SPDX-License-Identifier: MIT
#pragma once

#include "core/nats/natsreader.h"
#include "core/nats/natstarget.h"
#include "core/result.h"

#include <QByteArray>
#include <QJsonObject>

class QSslSocket;

namespace Clickscope {

// How every NATS client here begins a connection: the server's INFO, which NATS sends in the
// clear; then TLS, when the server or the target asks for it; then our CONNECT. Once TLS is being
// set up the client speaks first, so anything the server sends before is refused, and bytes that
// came in the clear after INFO are thrown away, never read as if the TLS connection had brought
// them. One per connection; the caller owns the socket and the reader and passes take() every
// operation it reads at least until hello() was said.
class NatsHandshake
{
public:
    enum class Step {
        Info,    // waiting for the server's INFO
        Tls,     // TLS was started on the socket: hello() once it is encrypted
        Hello,   // hello() is what to say now
        Done,    // hello() was said
    };

    // `target` outlives the handshake.
    explicit NatsHandshake(const NatsTarget &target) : m_target(target) {}

    Step step() const { return m_step; }
    // The server's INFO (empty before it came).
    const QJsonObject &serverInfo() const { return m_serverInfo; }

    // An operation the server sent: true when it was the handshake's (the first INFO: TLS is
    // started on `socket` when the connection uses it, and `reader` emptied), false when it is the
    // caller's to handle; an error says why the connection cannot go on, and leaves step() where
    // it was: Info when this end and the server cannot talk as the target asks (which trying again
    // will not change), Tls when the server spoke out of turn.
    Result<bool> take(const NatsOp &op, QSslSocket &socket, NatsReader &reader);
    // The CONNECT command with the target's credentials; once step() is Hello, or Tls and the
    // socket is encrypted.
    QByteArray hello();

private:
    const NatsTarget &m_target;
    Step m_step = Step::Info;
    QJsonObject m_serverInfo;
    bool m_tls = false;
};

}   // namespace Clickscope
