// SPDX-License-Identifier: MIT
#pragma once

#include <QHostAddress>
#include <QTcpServer>

namespace Clickscope::Testing {

// A loopback port nobody listens on: connecting there is refused at once.
inline quint16 unusedPort()
{
    QTcpServer probe;
    probe.listen(QHostAddress::LocalHost, 0);
    return probe.serverPort();
}

}   // namespace Clickscope::Testing
