; Inno Setup 6 script of the Windows installer: installs the one-folder app built by
; packaging/windows/massage-chart.spec into Program Files, with a Start menu entry.
; Build: iscc /DAppVersion=0.1.0 packaging\windows\massage-chart.iss  (from the repository root)
; Uninstalling removes the program only: records, backups and settings in
; %LOCALAPPDATA%\massage-chart are never touched (no [UninstallDelete] for them, on purpose).

#ifndef AppVersion
  #error Pass the version: iscc /DAppVersion=X.Y.Z
#endif

[Setup]
AppId={{6F0B7C52-3D1E-4F3A-9B8E-5A2C1D7E4B90}
AppName=Massage Chart
AppVersion={#AppVersion}
AppPublisher=Massage Chart developers
AppPublisherURL=https://massagechart.app
DefaultDirName={autopf}\Massage Chart
DefaultGroupName=Massage Chart
DisableProgramGroupPage=yes
; Per-user install by default (no administrator needed); an administrator may choose all users.
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
MinVersion=10.0
OutputDir=..\..\dist
OutputBaseFilename=MassageChart-{#AppVersion}-setup
SetupIconFile=..\..\build\icons\massage-chart.ico
UninstallDisplayIcon={app}\Massage Chart.exe
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
; Signed by the CI job with signtool when a certificate is configured (see README.md).

[Languages]
Name: "english"; MessagesFile: "compiler:Default.isl"

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[Files]
Source: "..\..\dist\massage-chart\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{group}\Massage Chart"; Filename: "{app}\Massage Chart.exe"
Name: "{autodesktop}\Massage Chart"; Filename: "{app}\Massage Chart.exe"; Tasks: desktopicon

[Run]
Filename: "{app}\Massage Chart.exe"; Description: "{cm:LaunchProgram,Massage Chart}"; Flags: nowait postinstall skipifsilent
