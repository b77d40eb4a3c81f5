// SPDX-License-Identifier: MIT
#pragma once

#include <QTcpSocket>

namespace Clickscope {

// Lets go of a socket that its owner may be letting go of from inside one of the socket's own
// signals: no further signal, the connection dropped at once, the object deleted later.
struct TcpSocketDeleter
{
    void operator()(QTcpSocket *socket) const
    {
        socket->disconnect();
        socket->abort();
        socket->deleteLater();
    }
};

}   // namespace Clickscope
