// SPDX-License-Identifier: MIT
#include "server/websocketframewalker.h"

#include <QtEndian>

#include <algorithm>

namespace Clickscope {
namespace {

constexpr quint8 kOpClose = 0x8;

}   // namespace

Result<void> WebSocketFrameWalker::checkCloseCode(quint16 code)
{
    const bool allowed =
        (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) || (code >= 3000 && code <= 4999);
    if (allowed)
        return {};
    if (code == 1005 || code == 1006 || code == 1015)
        return unexpected(QStringLiteral("close code %1 is reserved and may not be sent").arg(code));
    return unexpected(QStringLiteral("invalid close code %1").arg(code));
}

bool WebSocketFrameWalker::skipWithinPayload(quint64 n)
{
    if (m_stopped || m_step != Step::Payload || m_payloadLeft < n)
        return false;
    skipPayload(n);
    return true;
}

std::optional<WebSocketFrameWalker::Violation> WebSocketFrameWalker::walk(QByteArrayView bytes)
{
    qsizetype at = 0;
    while (at < bytes.size() && !m_stopped) {
        if (m_step == Step::Payload) {
            const auto n = qsizetype(std::min<quint64>(m_payloadLeft, quint64(bytes.size() - at)));
            skipPayload(quint64(n));
            at += n;
            continue;
        }
        m_field[m_fieldHave++] = uchar(bytes.at(at++));
        if (m_fieldHave < m_fieldSize)
            continue;
        m_fieldHave = 0;
        if (std::optional<Violation> violation = fieldDone()) {
            m_stopped = true;
            return violation;
        }
    }
    return std::nullopt;
}

void WebSocketFrameWalker::skipPayload(quint64 n)
{
    m_payloadLeft -= n;
    if (m_payloadLeft == 0) {
        m_step = Step::Header;
        m_fieldSize = 2;
    }
}

std::optional<WebSocketFrameWalker::Violation> WebSocketFrameWalker::fieldDone()
{
    const unsigned char *b = m_field;
    switch (m_step) {
    case Step::Header: {
        m_opcode = b[0] & 0x0f;
        if (!(b[1] & 0x80))
            return Violation{kProtocolError, QStringLiteral("a client frame without a mask")};
        const quint8 length = b[1] & 0x7f;
        if (length >= 126) {
            m_step = Step::Length;
            m_fieldSize = length == 126 ? 2 : 8;
        } else {
            m_payloadLeft = length;
            m_step = Step::Mask;
            m_fieldSize = 4;
        }
        return std::nullopt;
    }
    case Step::Length:
        m_payloadLeft = m_fieldSize == 2 ? qFromBigEndian<quint16>(b) : qFromBigEndian<quint64>(b);
        m_step = Step::Mask;
        m_fieldSize = 4;
        return std::nullopt;
    case Step::Mask:
        std::copy(b, b + 4, m_mask);
        if (m_opcode == kOpClose && m_payloadLeft == 1)
            return Violation{kProtocolError, QStringLiteral("a close frame with a one-byte payload")};
        if (m_opcode == kOpClose && m_payloadLeft >= 2) {
            m_step = Step::CloseCode;
            m_fieldSize = 2;
            return std::nullopt;
        }
        if (m_opcode == kOpClose) {
            m_stopped = true;   // a close without a code: the client said goodbye properly
            return std::nullopt;
        }
        break;
    case Step::CloseCode: {
        const uchar code[2] = {uchar(b[0] ^ m_mask[0]), uchar(b[1] ^ m_mask[1])};
        if (const Result<void> allowed = checkCloseCode(qFromBigEndian<quint16>(code)); !allowed)
            return Violation{kProtocolError, allowed.error()};
        // The client has said goodbye properly; what it sends after is Qt's to ignore.
        m_stopped = true;
        return std::nullopt;
    }
    case Step::Payload:
        break;
    }
    if (m_payloadLeft > 0) {
        m_step = Step::Payload;
    } else {
        m_step = Step::Header;
        m_fieldSize = 2;
    }
    return std::nullopt;
}

}   // namespace Clickscope
