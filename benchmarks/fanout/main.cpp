// SPDX-License-Identifier: MIT
// clickscope-bench-fanout throughput BASE_URL [--clicks N] [--batch N]
// clickscope-bench-fanout fanout BASE_URL [--subscribers S] [--rate R] [--seconds T] [--server-pid PID]
//                                         [--complete-wait S] [--qt-sockets]
// clickscope-bench-fanout churn BASE_URL [--cycles N] [--concurrency C] [--warmup N] [--server-pid PID]
//                                        [--rounds N] [--pause S]
//
// Load against a running publisher (ours, or the Node peer in benchmarks/peer/): end-to-end
// throughput into our EventSource, fan-out latency and loss over many SSE subscribers, and
// connect/disconnect churn with the server's RSS before and after. Each prints one
// `key=value …` line on stdout for benchmarks/run-server.sh; progress goes to stderr.
//
// fanout, in short: `lost` is what had not arrived 2 s after publishing ended; the run then waits
// (--complete-wait) for late deliveries, so that `p50_ms`/`p99_ms`/`max_ms` cover every delivery,
// late ones included, and `publisher_cpu_s` covers the whole of the same work whatever the server
// (`complete_s`: publishing start to last delivery). `first_p50_ms` is each click's first delivery
// to any subscriber: the server's own delay, without the fan-out behind it.
//
// One process, one thread, event-loop driven. The subscribers are plain sockets, not
// EventSources: each EventSource owns a QNetworkAccessManager and so an HTTP thread, and a
// thousand of those would measure the client, not the server (see FanoutRun::setUpEpoll for why
// not a QTcpSocket each either). Every phase has a deadline; on one the tool says which and exits
#include "core/options/optionreader.h"
#include "fanout/churnrun.h"
#include "fanout/fanoutrun.h"
#include "fanout/throughputrun.h"

#include <QCommandLineParser>
#include <QCoreApplication>

#include <cstdio>
#include <memory>

using namespace Clickscope::Bench;

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("clickscope-bench-fanout"));

    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Load against a running publisher at BASE_URL (http://127.0.0.1:PORT).\n"
                       "  throughput  POSTs batches as fast as they are taken; one EventSource receives them.\n"
                       "  fanout      raw SSE subscribers; clicks at a steady rate; latency, loss, server CPU.\n"
                       "  churn       connect, read the head, abort, many times; server RSS before and after."));
    parser.addHelpOption();
    parser.addPositionalArgument(QStringLiteral("COMMAND"), QStringLiteral("throughput, fanout or churn."));
    parser.addPositionalArgument(QStringLiteral("BASE_URL"),
                                 QStringLiteral("The publisher, e.g. http://127.0.0.1:8080."));
    const QCommandLineOption clicks(QStringLiteral("clicks"), QStringLiteral("throughput: clicks to send (200000)."),
                                    QStringLiteral("N"), QStringLiteral("200000"));
    const QCommandLineOption batch(QStringLiteral("batch"), QStringLiteral("throughput: clicks per POST (1000)."),
                                   QStringLiteral("N"), QStringLiteral("1000"));
    const QCommandLineOption subscribers(QStringLiteral("subscribers"), QStringLiteral("fanout: streams (1000)."),
                                         QStringLiteral("S"), QStringLiteral("1000"));
    const QCommandLineOption rate(QStringLiteral("rate"), QStringLiteral("fanout: clicks per second (1000)."),
                                  QStringLiteral("R"), QStringLiteral("1000"));
    const QCommandLineOption duration(QStringLiteral("seconds"), QStringLiteral("fanout: seconds of publishing (10)."),
                                      QStringLiteral("T"), QStringLiteral("10"));
    const QCommandLineOption completeWait(
        QStringLiteral("complete-wait"),
        QStringLiteral("fanout: seconds to wait for late deliveries after the 2 s cut-off (45)."), QStringLiteral("S"),
        QStringLiteral("45"));
    const QCommandLineOption qtSockets(QStringLiteral("qt-sockets"),
                                       QStringLiteral("fanout: a QTcpSocket per subscriber instead of one epoll set."));
    const QCommandLineOption cycles(QStringLiteral("cycles"), QStringLiteral("churn: measured connections (10000)."),
                                    QStringLiteral("N"), QStringLiteral("10000"));
    const QCommandLineOption warmup(QStringLiteral("warmup"),
                                    QStringLiteral("churn: connections before measuring (1000)."), QStringLiteral("N"),
                                    QStringLiteral("1000"));
    const QCommandLineOption concurrency(QStringLiteral("concurrency"),
                                         QStringLiteral("churn: connections at once (100)."), QStringLiteral("C"),
                                         QStringLiteral("100"));
    const QCommandLineOption rounds(QStringLiteral("rounds"),
                                    QStringLiteral("churn: rounds of --cycles, RSS read after each (1)."),
                                    QStringLiteral("N"), QStringLiteral("1"));
    const QCommandLineOption pause(QStringLiteral("pause"), QStringLiteral("churn: seconds between rounds (11)."),
                                   QStringLiteral("S"), QStringLiteral("11"));
    const QCommandLineOption serverPid(QStringLiteral("server-pid"),
                                       QStringLiteral("The publisher's pid, for its CPU time and RSS."),
                                       QStringLiteral("PID"), QStringLiteral("0"));
    const QCommandLineOption timeout(QStringLiteral("timeout"),
                                     QStringLiteral("Gives up after this many seconds (default: per command)."),
                                     QStringLiteral("S"), QStringLiteral("0"));
    const QCommandLineOption replica(
        QStringLiteral("replica"),
        QStringLiteral("fanout: a replica of the publisher (repeatable): subscribers are spread over all of them."),
        QStringLiteral("URL"));
    const QCommandLineOption replicaPid(QStringLiteral("replica-pid"),
                                        QStringLiteral("fanout: a replica's pid (repeatable), for its CPU time."),
                                        QStringLiteral("PID"));
    parser.addOptions({clicks, batch, subscribers, rate, duration, completeWait, qtSockets, cycles, warmup, concurrency,
                       rounds, pause, serverPid, timeout, replica, replicaPid});
    parser.process(app);

    const QStringList positional = parser.positionalArguments();
    const QUrl base = positional.size() == 2 ? QUrl(positional.at(1)) : QUrl();
    if (positional.size() != 2 || !base.isValid() || base.scheme() != u"http" || base.port() <= 0) {
        std::fputs(
            "usage: clickscope-bench-fanout throughput|fanout|churn http://127.0.0.1:PORT [options] (try --help)\n",
            stderr);
        return kExitUsage;
    }
    const QString command = positional.first();
    Clickscope::OptionReader read(parser);
    // Reports the first bad option; every value below is read before this is called.
    const auto refused = [&read] {
        if (const auto ok = read.result(); !ok) {
            progress("%s", qPrintable(ok.error()));
            return true;
        }
        return false;
    };
    const auto pid = read.whole(serverPid, 0, 1LL << 31);
    const auto limit = read.whole(timeout, 0, 3600);
    if (refused())
        return kExitUsage;

    std::unique_ptr<QObject> run;
    qint64 defaultTimeout = 0;
    std::function<void()> start;
    if (command == u"throughput") {
        const auto n = read.whole(clicks, 1, 100'000'000);
        // Bodies stay well under the publisher's 1 MiB limit: clicks are about 300 bytes.
        const auto b = read.whole(batch, 1, kMaxClicksPerPost * 2);
        if (refused())
            return kExitUsage;
        auto *r = new ThroughputRun(base, *n, *b);
        run.reset(r);
        start = [r] { r->start(); };
        defaultTimeout = 120;
    } else if (command == u"fanout") {
        const auto s = read.whole(subscribers, 1, 100'000);
        const auto r = read.whole(rate, 1, 1'000'000);
        const auto t = read.whole(duration, 1, 3600);
        const auto w = read.whole(completeWait, 0, 3600);
        if (refused())
            return kExitUsage;
        // Descriptors: the streams, the publishing and stats connections, Qt's own.
        if (!ensureDescriptors(*s + 64))
            return kExitFailed;
        FanoutRun::Settings settings{base, int(*s), *r, int(*t), int(*w), *pid, parser.isSet(qtSockets), {}, {}};
        for (const QString &url : parser.values(replica))
            settings.replicas.append(QUrl(url));
        for (const QString &value : parser.values(replicaPid)) {
            const std::optional<qint64> replicaPidValue = Clickscope::wholeNumberIn(value, 1, 1LL << 31);
            if (!replicaPidValue) {
                progress("--replica-pid needs a process id, not '%s'", qPrintable(value));
                return kExitUsage;
            }
            settings.replicaPids.append(*replicaPidValue);
        }
        auto *f = new FanoutRun(settings);
        run.reset(f);
        start = [f] { f->start(); };
        // Connecting, publishing, stragglers, late deliveries, and room for a slow machine.
        defaultTimeout = *t + *w + 60;
    } else if (command == u"churn") {
        const auto n = read.whole(cycles, 1, 10'000'000);
        const auto c = read.whole(concurrency, 1, 10'000);
        const auto w = read.whole(warmup, 0, 10'000'000);
        const auto r = read.whole(rounds, 1, 100);
        const auto p = read.whole(pause, 0, 600);
        if (refused())
            return kExitUsage;
        if (*pid == 0) {
            progress("churn needs --server-pid, to read the server's RSS");
            return kExitUsage;
        }
        if (!ensureDescriptors(*c + 64))
            return kExitFailed;
        auto *c2 = new ChurnRun({base, *n, int(*c), *w, *pid, int(*r), int(*p)});
        run.reset(c2);
        start = [c2] { c2->start(); };
        defaultTimeout = 120 + *r * (60 + *p);
    } else {
        progress("unknown command '%s' (throughput, fanout or churn)", qPrintable(command));
        return kExitUsage;
    }

    const qint64 seconds = *limit > 0 ? *limit : defaultTimeout;
    QTimer::singleShot(std::chrono::seconds(seconds), &app, [&command, seconds] {
        progress("%s did not finish within %lld s; giving up", qPrintable(command), static_cast<long long>(seconds));
        QCoreApplication::exit(kExitFailed);
    });
    QTimer::singleShot(0, &app, start);
    return QCoreApplication::exec();
}
