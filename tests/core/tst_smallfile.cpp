// SPDX-License-Identifier: MIT
// readSmallFile: a small file whole, and a clear refusal of what could block or never end.
#include "core/system/smallfile.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <sys/stat.h>

using namespace Clickscope;

class TestSmallFile : public QObject
{
    Q_OBJECT

private slots:
    void aSmallFileIsReadWhole()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("small"));
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(QByteArray(1000, 'x'));
        file.close();
        const Result<QByteArray> read = readSmallFile(path, 1000);
        QVERIFY2(read, qPrintable(read.error()));
        QCOMPARE(*read, QByteArray(1000, 'x'));
        const Result<QByteArray> over = readSmallFile(path, 999);
        QVERIFY(!over);
        QVERIFY2(over.error().contains(u"is 1000 bytes, over the limit of 999 bytes"), qPrintable(over.error()));
    }

    void whatIsNotARegularFileIsRefusedAtOnce()
    {
        QTemporaryDir dir;
        // Nobody writes to this pipe: reading it would wait for ever.
        const QString pipe = dir.filePath(QStringLiteral("pipe"));
        QCOMPARE(::mkfifo(QFile::encodeName(pipe).constData(), 0600), 0);
        for (const QString &path : {pipe, QStringLiteral("/dev/zero"), dir.path()}) {
            const Result<QByteArray> read = readSmallFile(path, 1024);
            QVERIFY(!read);
            QVERIFY2(read.error().contains(u"is not a regular file"), qPrintable(read.error()));
        }
        const Result<QByteArray> missing = readSmallFile(dir.filePath(QStringLiteral("none")), 1024);
        QVERIFY(!missing);
        QVERIFY2(missing.error().startsWith(u"cannot read '"), qPrintable(missing.error()));
    }
};

QTEST_GUILESS_MAIN(TestSmallFile)
#include "tst_smallfile.moc"
