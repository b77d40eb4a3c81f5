// SPDX-License-Identifier: MIT
#pragma once

#include <QString>
#include <QTemporaryDir>

namespace Clickscope::Testing {

// TLS certificates for one test, made with the openssl command in a temporary folder: an
// authority, a certificate for 127.0.0.1 (named in its alternative names only, as a server's
// address is) and one for a client, both signed by it, and a second
// authority that signed nothing here. Keys are P-256, in PEM, unencrypted; valid for two days.
class TestCertificates
{
public:
    // Makes them all; false (with the reason in errorString()) when openssl failed.
    bool make();
    QString errorString() const { return m_error; }

    QString authority() const { return path(QStringLiteral("ca.pem")); }
    QString otherAuthority() const { return path(QStringLiteral("other-ca.pem")); }
    QString serverCertificate() const { return path(QStringLiteral("server.pem")); }
    QString serverKey() const { return path(QStringLiteral("server.key")); }
    QString clientCertificate() const { return path(QStringLiteral("client.pem")); }
    QString clientKey() const { return path(QStringLiteral("client.key")); }

private:
    QString path(const QString &name) const { return m_dir.filePath(name); }
    bool openssl(const QStringList &arguments);
    bool makeAuthority(const QString &name);
    bool makeSigned(const QString &name, const QString &subjectName, const QString &extensions);

    QTemporaryDir m_dir;
    QString m_error;
};

}   // namespace Clickscope::Testing
