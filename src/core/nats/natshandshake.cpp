// SPDX-License-Identifier: MIT
#include "core/nats/natshandshake.h"

#include <QJsonDocument>

namespace Clickscope {

Result<bool> NatsHandshake::take(const NatsOp &op, QSslSocket &socket, NatsReader &reader)
{
    switch (m_step) {
    case Step::Info:
        break;
    case Step::Tls:
        return unexpected(QStringLiteral("the NATS server spoke before the TLS handshake was over"));
    case Step::Hello:
    case Step::Done:
        return false;
    }
    if (op.type != NatsOp::Type::Info)
        return false;
    m_serverInfo = QJsonDocument::fromJson(op.payload).object();
    const Result<bool> tls = m_target.usesTls(m_serverInfo);
    if (!tls)
        return unexpected(tls.error());
    m_tls = *tls;
    if (!m_tls) {
        m_step = Step::Hello;
        return true;
    }
    m_step = Step::Tls;
    reader.restart();
    m_target.startTls(socket);
    return true;
}

QByteArray NatsHandshake::hello()
{
    Q_ASSERT(m_step == Step::Hello || m_step == Step::Tls);
    m_step = Step::Done;
    return m_target.helloCommand(m_serverInfo, m_tls);
}

}   // namespace Clickscope
