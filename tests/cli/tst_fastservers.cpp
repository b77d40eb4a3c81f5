// SPDX-License-Identifier: MIT
// `listen` and `watch` against servers that send as fast as loopback allows: the built binary's
// memory stays bounded however much is offered, and SIGINT still ends it promptly.
#include "core/system/processstats.h"
#include "support/floodserver.h"
#include "support/sanitizers.h"

#include <QElapsedTimer>
#include <QProcess>
#include <QSignalSpy>
#include <QTest>

#include <csignal>
#include <memory>

using Clickscope::Testing::FloodServer;

namespace {

constexpr qint64 kMiB = 1024 * 1024;
constexpr int kWaitMs = 60000;
// Read by the client before its memory is judged: far more than any buffer it may keep.
constexpr qint64 kOfferedBytes = 192 * kMiB;
// 17-30 MiB is typical; a loaded machine has been seen at 68 MiB. Unbounded reading reached GiBs.
constexpr qint64 kPeakLimit = 128 * kMiB;
// SIGINT must be honoured within a second; the margin is for a loaded machine, and is still far
// below the many seconds a client needs when it has a backlog to work through first.
constexpr qint64 kExitLimitMs = 3000;

const QByteArray kClick = "{\"link\":\"/flood\",\"country\":\"NZ\"}";

}   // namespace

class TestFastServers : public QObject
{
    Q_OBJECT

private slots:
    void memoryStaysBoundedAndSigintEndsPromptly_data();
    void memoryStaysBoundedAndSigintEndsPromptly();
};

void TestFastServers::memoryStaysBoundedAndSigintEndsPromptly_data()
{
    QTest::addColumn<bool>("webSocket");
    QTest::addColumn<QStringList>("arguments");
    for (const bool webSocket : {false, true}) {
        const char *transport = webSocket ? "ws" : "sse";
        QTest::addRow("%s listen count", transport) << webSocket << QStringList{"listen", "--format", "count"};
        QTest::addRow("%s listen jsonl", transport) << webSocket << QStringList{"listen", "--format", "jsonl"};
        QTest::addRow("%s watch", transport) << webSocket << QStringList{"watch"};
    }
}

void TestFastServers::memoryStaysBoundedAndSigintEndsPromptly()
{
    CLICKSCOPE_SKIP_WHEN_SANITIZED();
    QFETCH(bool, webSocket);
    QFETCH(QStringList, arguments);
    // Bounded by the test's end as well: the server stops when it is destroyed.
    const auto flood =
        webSocket ? FloodServer::webSocket(kClick, 64 * 1024 * kMiB)
                  : std::make_unique<FloodServer>(FloodServer::sseHead(), "data: " + kClick + "\n\n", 64 * 1024 * kMiB);
    QVERIFY(flood->listen());

    QProcess process;
    process.setStandardOutputFile(QProcess::nullDevice());
    process.start(QStringLiteral(CLICKSCOPE_CLI), arguments << flood->url().toString());
    QVERIFY(process.waitForStarted(kWaitMs));
    const auto pid = pid_t(process.processId());
    QVERIFY(QTest::qWaitFor([&] { return flood->bytesWritten() >= kOfferedBytes; }, kWaitMs));
    const qint64 peak = Clickscope::ProcessStats::peakResidentBytes(pid);

    QSignalSpy finished(&process, &QProcess::finished);
    QElapsedTimer sinceSignal;
    sinceSignal.start();
    ::kill(pid, SIGINT);
    QVERIFY(finished.wait(kWaitMs));
    const qint64 exitMs = sinceSignal.elapsed();
    qInfo("%lld MiB offered: peak RSS %lld MiB; exited %lld ms after SIGINT", flood->bytesWritten() / kMiB, peak / kMiB,
          exitMs);
    const QByteArray err = process.readAllStandardError();
    QVERIFY2(process.exitStatus() == QProcess::NormalExit && process.exitCode() == 0,
             qPrintable(QStringLiteral("exit status %1, code %2; stderr: %3")
                            .arg(int(process.exitStatus()))
                            .arg(process.exitCode())
                            .arg(QString::fromUtf8(err.right(2000)))));
    QVERIFY2(peak > 0 && peak < kPeakLimit, qPrintable(QString::number(peak / kMiB)));
    QVERIFY2(exitMs < kExitLimitMs, qPrintable(QString::number(exitMs)));
}

QTEST_GUILESS_MAIN(TestFastServers)
#include "tst_fastservers.moc"
