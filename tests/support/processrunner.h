// SPDX-License-Identifier: MIT
#pragma once

#include <QByteArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QProcessEnvironment>
#include <QSignalSpy>
#include <QStringList>
#include <QTest>

namespace Clickscope::Testing {

struct ProcessResult
{
    int exitCode = -1;   // -1 after a crash, a kill or a timeout
    QByteArray out;
    QByteArray err;
    bool timedOut = false;
    QJsonObject json() const { return QJsonDocument::fromJson(out).object(); }
};

struct ProcessOptions
{
    QByteArray input;                  // written to stdin, which is then closed
    QProcessEnvironment environment;   // empty: this process's environment
    int timeoutMs = 30'000;
};

// Runs a program to its end and collects what it wrote, waiting in the event loop so that
// servers living in this thread keep serving it. A program still running after the timeout is
// killed and fails the test that ran it: a hang is a failure, never a partial result that passes.
inline ProcessResult runProcess(const QString &program, const QStringList &arguments,
                                const ProcessOptions &options = {})
{
    QProcess process;
    if (!options.environment.isEmpty())
        process.setProcessEnvironment(options.environment);
    QSignalSpy finished(&process, &QProcess::finished);
    process.start(program, arguments);
    if (!options.input.isEmpty())
        process.write(options.input);
    process.closeWriteChannel();
    ProcessResult result;
    if (!finished.wait(options.timeoutMs)) {
        process.kill();
        process.waitForFinished();
        result.timedOut = true;
        QTest::qFail(qPrintable(QStringLiteral("%1 %2 did not finish within %3 ms")
                                    .arg(program, arguments.join(u' '))
                                    .arg(options.timeoutMs)),
                     __FILE__, __LINE__);
    } else if (process.exitStatus() == QProcess::NormalExit) {
        result.exitCode = process.exitCode();
    }
    result.out = process.readAllStandardOutput();
    result.err = process.readAllStandardError();
    return result;
}

}   // namespace Clickscope::Testing
