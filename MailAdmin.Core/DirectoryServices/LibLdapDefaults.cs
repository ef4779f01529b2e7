using System.Runtime.InteropServices;

namespace MailAdmin.Core.DirectoryServices;

/// <summary>
/// Sets process-wide defaults in OpenLDAP's client library (which System.DirectoryServices.Protocols
/// drives on Linux) that S.DS.P offers no per-connection setter for:
/// <list type="bullet">
/// <item>Timeouts for connecting and for synchronous operations. Without them a bind to a server
/// that accepts the TCP connection but never answers blocks for as long as the server keeps the
/// socket open: <c>LdapConnection.Timeout</c> bounds searches but not the bind there.</item>
/// <item>Restart after interrupted system calls. With a connect timeout libldap connects without
/// blocking and waits in <c>poll()</c>, which any signal interrupts; .NET receives SIGCHLD whenever
/// a child process exits, and without this option libldap reports such an interruption as "server
/// unavailable" (about 1 bind in 80 while processes come and go, measured here).</item>
/// </list>
/// The options are set once, globally (<c>ldap_set_option(NULL, ...)</c>), before the first
/// connection copies them; this process uses libldap for nothing else. The library is found under
/// the same names, in the same order, as S.DS.P looks for it, so both use the same copy.
/// </summary>
internal static class LibLdapDefaults
{
    private const int LdapOptRestart = 0x0009;
    private const int LdapOptTimeout = 0x5002;
    private const int LdapOptNetworkTimeout = 0x5005;
    private static readonly string[] LibraryNames = ["libldap.so.2", "libldap-2.6.so.0", "libldap-2.5.so.0", "libldap-2.4.so.2"];
    private static readonly Lock Gate = new();
    private static bool? s_applied;

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate int SetTimeValOption(IntPtr ld, int option, ref TimeVal value);

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate int SetPointerOption(IntPtr ld, int option, IntPtr value);

    /// <summary>Applies the defaults once per process; false when libldap could not be configured.</summary>
    public static bool EnsureApplied(TimeSpan timeout)
    {
        lock (Gate)
        {
            s_applied ??= Apply(timeout);
            return s_applied.Value;
        }
    }

    private static bool Apply(TimeSpan timeout)
    {
        if (!OperatingSystem.IsLinux())
        {
            // Windows' wldap32 honours LdapConnection.Timeout for binds itself.
            return true;
        }

        foreach (var name in LibraryNames)
        {
            if (!NativeLibrary.TryLoad(name, out var library))
            {
                continue;
            }

            if (!NativeLibrary.TryGetExport(library, "ldap_set_option", out var export))
            {
                return false;
            }

            // LDAP_OPT_ON is any non-null pointer.
            var setPointer = Marshal.GetDelegateForFunctionPointer<SetPointerOption>(export);
            var setTimeVal = Marshal.GetDelegateForFunctionPointer<SetTimeValOption>(export);
            var value = new TimeVal { Seconds = (nint)timeout.TotalSeconds };
            return setPointer(IntPtr.Zero, LdapOptRestart, 1) == 0
                && setTimeVal(IntPtr.Zero, LdapOptNetworkTimeout, ref value) == 0
                && setTimeVal(IntPtr.Zero, LdapOptTimeout, ref value) == 0;
        }

        return false;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeVal
    {
        public nint Seconds;
        public nint Microseconds;
    }
}
