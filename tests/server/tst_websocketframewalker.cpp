// SPDX-License-Identifier: MIT
// WebSocketFrameWalker: the frame rules Qt's server side lets through, checked on bytes, however
// the stream is cut.
#include "server/websocketframewalker.h"

#include <QTest>

using namespace Clickscope;

namespace {

// A client frame: FIN, `opcode`, masked with `mask` unless it is empty, `payload` (masked).
QByteArray frame(quint8 opcode, const QByteArray &payload, const QByteArray &mask = "abcd")
{
    QByteArray out;
    out.append(char(0x80 | opcode));
    const char maskBit = mask.isEmpty() ? 0 : char(0x80);
    if (payload.size() < 126) {
        out.append(char(maskBit | char(payload.size())));
    } else if (payload.size() <= 0xffff) {
        out.append(char(maskBit | 126)).append(char(payload.size() >> 8)).append(char(payload.size() & 0xff));
    } else {
        out.append(char(maskBit | 127));
        for (int shift = 56; shift >= 0; shift -= 8)
            out.append(char((quint64(payload.size()) >> shift) & 0xff));
    }
    out.append(mask);
    for (qsizetype i = 0; i < payload.size(); ++i)
        out.append(mask.isEmpty() ? payload.at(i) : char(payload.at(i) ^ mask.at(i % 4)));
    return out;
}

QByteArray closeFrame(quint16 code) { return frame(0x8, QByteArray(1, char(code >> 8)) + char(code & 0xff) + "bye"); }

// What walking `bytes` finds, fed in pieces of `piece` bytes.
std::optional<WebSocketFrameWalker::Violation> walkInPieces(const QByteArray &bytes, qsizetype piece,
                                                            WebSocketFrameWalker &walker)
{
    for (qsizetype at = 0; at < bytes.size(); at += piece) {
        if (auto violation = walker.walk(QByteArrayView(bytes).sliced(at, std::min(piece, bytes.size() - at))))
            return violation;
    }
    return std::nullopt;
}

}   // namespace

class TestWebSocketFrameWalker : public QObject
{
    Q_OBJECT

private slots:
    void goodFramesPass_data();
    void goodFramesPass();
    void violationsAreFound_data();
    void violationsAreFound();
    void payloadsAreSkippedUnread();
};

void TestWebSocketFrameWalker::goodFramesPass_data()
{
    QTest::addColumn<qsizetype>("piece");
    QTest::newRow("whole") << qsizetype(1 << 20);
    QTest::newRow("byte by byte") << qsizetype(1);
    QTest::newRow("by 3") << qsizetype(3);
}

void TestWebSocketFrameWalker::goodFramesPass()
{
    QFETCH(qsizetype, piece);
    const QByteArray stream = frame(0x1, "{\"subscribe\":\"all\"}") + frame(0x9, "ping")
                              + frame(0x2, QByteArray(300, 'b')) + frame(0x1, QByteArray(70'000, 't'))
                              + closeFrame(1000) + frame(0x1, "x", {});
    WebSocketFrameWalker walker;
    QVERIFY(!walkInPieces(stream, piece, walker));
    // A proper close ends the walk: what follows (here a frame without a mask) is not judged.
    QVERIFY(walker.stopped());
}

void TestWebSocketFrameWalker::violationsAreFound_data()
{
    QTest::addColumn<QByteArray>("stream");
    QTest::addColumn<QString>("reason");
    QTest::newRow("no mask") << frame(0x1, "hello", {}) << "a client frame without a mask";
    QTest::newRow("no mask after good ones")
        << frame(0x1, "ok") + frame(0x2, QByteArray(200, 'z'), {}) << "a client frame without a mask";
    QTest::newRow("close 1005") << closeFrame(1005) << "close code 1005 is reserved and may not be sent";
    QTest::newRow("close 999") << closeFrame(999) << "invalid close code 999";
    QTest::newRow("close one byte") << frame(0x8, "x") << "a close frame with a one-byte payload";
}

void TestWebSocketFrameWalker::violationsAreFound()
{
    QFETCH(QByteArray, stream);
    QFETCH(QString, reason);
    for (const qsizetype piece : {qsizetype(1), qsizetype(2), qsizetype(7), stream.size()}) {
        WebSocketFrameWalker walker;
        const auto violation = walkInPieces(stream, piece, walker);
        QVERIFY2(violation, qPrintable(QString::number(piece)));
        QCOMPARE(violation->code, WebSocketFrameWalker::kProtocolError);
        QCOMPARE(violation->reason, reason);
        QVERIFY(walker.stopped());
        QVERIFY(!walker.walk(stream));   // said once
    }
}

void TestWebSocketFrameWalker::payloadsAreSkippedUnread()
{
    // A frame that announces 2^40 bytes: they are counted down, never held or looked at.
    QByteArray head;
    head.append(char(0x82)).append(char(0x80 | 127));
    for (int shift = 56; shift >= 0; shift -= 8)
        head.append(char((quint64(1) << 40 >> shift) & 0xff));
    head.append("abcd");
    WebSocketFrameWalker walker;
    QVERIFY(!walker.walk(head));
    QVERIFY(!walker.skipWithinPayload((quint64(1) << 40) + 1));   // more than is left: look
    QVERIFY(walker.skipWithinPayload(quint64(1) << 39));
    QVERIFY(walker.skipWithinPayload(quint64(1) << 39));
    // The payload is over: the next bytes are a header again, and this one breaks the rules.
    QVERIFY(!walker.skipWithinPayload(1));
    const auto violation = walker.walk(frame(0x1, "x", {}));
    QVERIFY(violation);
}

QTEST_GUILESS_MAIN(TestWebSocketFrameWalker)
#include "tst_websocketframewalker.moc"
