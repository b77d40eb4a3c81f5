// SPDX-License-Identifier: MIT
#include "support/testcertificates.h"

#include <QFile>
#include <QProcess>

namespace Clickscope::Testing {
namespace {

const QStringList kNewKey{QStringLiteral("-newkey"), QStringLiteral("ec"), QStringLiteral("-pkeyopt"),
                          QStringLiteral("ec_paramgen_curve:prime256v1"), QStringLiteral("-nodes")};

}   // namespace

bool TestCertificates::openssl(const QStringList &arguments)
{
    QProcess process;
    process.start(QStringLiteral("openssl"), arguments);
    if (!process.waitForFinished(30'000) || process.exitStatus() != QProcess::NormalExit || process.exitCode() != 0) {
        m_error = QStringLiteral("openssl %1 failed: %2 %3")
                      .arg(arguments.join(u' '), process.errorString(),
                           QString::fromLocal8Bit(process.readAllStandardError()));
        return false;
    }
    return true;
}

bool TestCertificates::makeAuthority(const QString &name)
{
    return openssl(QStringList{QStringLiteral("req"), QStringLiteral("-x509")} + kNewKey
                   + QStringList{QStringLiteral("-keyout"), path(name + QStringLiteral(".key")), QStringLiteral("-out"),
                                 path(name + QStringLiteral(".pem")), QStringLiteral("-days"), QStringLiteral("2"),
                                 QStringLiteral("-subj"), QStringLiteral("/CN=Clickscope test %1").arg(name)});
}

bool TestCertificates::makeSigned(const QString &name, const QString &subjectName, const QString &extensions)
{
    QFile extensionFile(path(name + QStringLiteral(".ext")));
    if (!extensionFile.open(QIODevice::WriteOnly) || extensionFile.write(extensions.toUtf8()) < 0) {
        m_error = QStringLiteral("cannot write %1").arg(extensionFile.fileName());
        return false;
    }
    extensionFile.close();
    return openssl(QStringList{QStringLiteral("req")} + kNewKey
                   + QStringList{QStringLiteral("-keyout"), path(name + QStringLiteral(".key")), QStringLiteral("-out"),
                                 path(name + QStringLiteral(".csr")), QStringLiteral("-subj"),
                                 QStringLiteral("/CN=") + subjectName})
           && openssl({QStringLiteral("x509"), QStringLiteral("-req"), QStringLiteral("-in"),
                       path(name + QStringLiteral(".csr")), QStringLiteral("-CA"), authority(),
                       QStringLiteral("-CAkey"), path(QStringLiteral("ca.key")), QStringLiteral("-CAcreateserial"),
                       QStringLiteral("-out"), path(name + QStringLiteral(".pem")), QStringLiteral("-days"),
                       QStringLiteral("2"), QStringLiteral("-extfile"), extensionFile.fileName()});
}

bool TestCertificates::make()
{
    if (!m_dir.isValid()) {
        m_error = QStringLiteral("no temporary folder");
        return false;
    }
    return makeAuthority(QStringLiteral("ca")) && makeAuthority(QStringLiteral("other-ca"))
           && makeSigned(QStringLiteral("server"), QStringLiteral("clickscope-test-server"),
                         QStringLiteral("subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n"))
           && makeSigned(QStringLiteral("client"), QStringLiteral("clickscope-test-client"),
                         QStringLiteral("extendedKeyUsage=clientAuth\n"));
}

}   // namespace Clickscope::Testing
