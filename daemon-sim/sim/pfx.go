package sim

import (
	"github.com/eimzokit/eimzokit/daemon-sim/softtoken"
	"github.com/eimzokit/eimzokit/wasm/capiws"
)

var (
	argDisk = arg{"disk", "Диск", false}
	argPath = arg{"path", "Путь к папке ключей: пусто или DSKEYS", false}
	argName = arg{"name", "Имя файла ключа без расширения", false}
	argAls  = arg{"alias", "Алиас сертификата", false}
)

func pfxPlugin() *plugin {
	id := arg{"pfxId", "Идентификатор ключа PFX", false}
	return &plugin{name: "pfx", desc: desc("Ключи в файлах PFX (PKCS#12)", "PFX (PKCS#12) fayllaridagi kalitlar"), funcs: []*function{
		{name: "list_disks", desc: "Возвращает список дисков", run: (*Server).listDisks},
		{name: "list_certificates", desc: "Возвращает сертификаты ключей на диске", args: []arg{argDisk}, run: (*Server).listCertificates},
		{name: "list_all_certificates", desc: "Возвращает сертификаты ключей на всех дисках", run: (*Server).listAllCertificates},
		{name: "load_key", desc: "Загружает ключ и возвращает его идентификатор", args: []arg{argDisk, argPath, argName, argAls},
			key: keyByName, keyArg: 2, run: (*Server).loadKey},
		{name: "unload_key", desc: "Выгружает ключ", args: []arg{id}, key: keyByID, run: (*Server).unloadKey},
		{name: "verify_password", desc: "Проверяет пароль ключа", args: []arg{id}, key: keyByID, run: (*Server).verifyPassword},
		{name: "change_password", desc: "Меняет пароль ключа", args: []arg{id}, key: keyByID, run: (*Server).changePassword},
		{name: "save_pfx", desc: "Сохраняет ключевую пару с сертификатами в файл PFX", args: []arg{argDisk, argPath, argName, argAls,
			{"id", "Идентификатор ключевой пары", false}, {"new_key_password", "Пароль нового ключа", false},
			{"subject_certificate_64", "Сертификат владельца (base64)", false}, {"ca_certificate_64", "Сертификат ЦР (base64)", false},
			{"root_certificate_64", "Корневой сертификат (base64)", false}}, run: (*Server).savePFX},
		{name: "save_temporary_pfx", desc: "Сохраняет ключевую пару с временным самоподписанным сертификатом", args: []arg{argDisk, argPath, argName, argAls,
			{"id", "Идентификатор ключевой пары", false}, {"password", "Пароль ключа", false},
			{"subject_x500_name", "Имя владельца X.500", false}}, run: (*Server).saveTemporaryPFX},
	}}
}

func (s *Server) listDisks(*call) ([]capiws.Member, error) {
	var disks []capiws.Value
	for _, d := range s.store.Layout().Disks() {
		disks = append(disks, capiws.MakeString(d))
	}
	return []capiws.Member{{Key: "disks", Value: capiws.MakeArray(disks...)}}, nil
}

func certList(keys []softtoken.KeyFile) []capiws.Member {
	certs := make([]capiws.Value, 0, len(keys))
	for _, k := range keys {
		certs = append(certs, capiws.MakeObject(str("disk", k.Disk), str("path", k.Path), str("name", k.Name), str("alias", k.Alias)))
	}
	return []capiws.Member{{Key: "certificates", Value: capiws.MakeArray(certs...)}}
}

func (s *Server) listCertificates(c *call) ([]capiws.Member, error) {
	keys, err := s.store.ListDisk(c.req.Arguments[0])
	if err != nil {
		return nil, err
	}
	return certList(keys), nil
}

func (s *Server) listAllCertificates(*call) ([]capiws.Member, error) {
	return certList(s.store.List()), nil
}

func (s *Server) loadKey(c *call) ([]capiws.Member, error) {
	a := c.req.Arguments
	id, err := s.store.Load(a[0], a[1], a[2], a[3])
	if err != nil {
		return nil, err
	}
	return []capiws.Member{str("keyId", id), str("type", string(softtoken.PFXSession))}, nil
}

func (s *Server) unloadKey(c *call) ([]capiws.Member, error) {
	return nil, s.store.Unload(c.req.Arguments[0], softtoken.PFXSession)
}

func (s *Server) verifyPassword(c *call) ([]capiws.Member, error) {
	return nil, s.store.VerifyPassword(c.ctx, c.req.Arguments[0])
}

func (s *Server) changePassword(c *call) ([]capiws.Member, error) {
	return nil, s.store.ChangePassword(c.ctx, c.req.Arguments[0])
}

// ytksPlugin is the vendor's .yks key store. The simulator has no .yks
// files, so its lists are empty and its key ids never exist; the functions
// are there so that calls get the daemon's answers, not status 0.
func ytksPlugin() *plugin {
	id := arg{"ytksId", "Идентификатор ключа YTKS", false}
	none := func(*Server, *call) ([]capiws.Member, error) {
		return nil, &softtoken.Failure{Status: capiws.StatusYTKSIDNotFound, Args: []string{"YTKS_KEY_STORE"}}
	}
	return &plugin{name: "ytks", desc: desc("Ключи в файлах YTKS", "YTKS fayllaridagi kalitlar"), funcs: []*function{
		{name: "list_disks", desc: "Возвращает список дисков", run: (*Server).listDisks},
		{name: "list_certificates", desc: "Возвращает сертификаты ключей на диске", args: []arg{argDisk}, run: func(s *Server, c *call) ([]capiws.Member, error) {
			if _, err := s.store.ListDisk(c.req.Arguments[0]); err != nil {
				return nil, err
			}
			return certList(nil), nil
		}},
		{name: "list_all_certificates", desc: "Возвращает сертификаты ключей на всех дисках", run: func(*Server, *call) ([]capiws.Member, error) {
			return certList(nil), nil
		}},
		{name: "load_key", desc: "Загружает ключ и возвращает его идентификатор", args: []arg{argDisk, argPath, argName, argAls,
			{"serialNumber", "Серийный номер сертификата", false}}, run: func(s *Server, c *call) ([]capiws.Member, error) {
			a := c.req.Arguments
			if a[1] != "" && a[1] != softtoken.DefaultPath {
				return nil, &softtoken.Failure{Status: capiws.StatusBadPath}
			}
			if _, err := s.store.ListDisk(a[0]); err != nil {
				return nil, err
			}
			return nil, &softtoken.Failure{Status: capiws.StatusYTKSFileMissing}
		}},
		{name: "unload_key", desc: "Выгружает ключ", args: []arg{id}, run: none},
		{name: "verify_password", desc: "Проверяет пароль ключа", args: []arg{id}, run: none},
		{name: "change_password", desc: "Меняет пароль ключа", args: []arg{id}, run: none},
	}}
}
