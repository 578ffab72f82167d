package sim

import (
	"strings"

	"github.com/eimzokit/eimzokit/daemon-sim/softtoken"
	"github.com/eimzokit/eimzokit/wasm/capiws"
)

// devicePlugin is idcard, baikey or uzgrd. The elements of readers and
// tokens are not documented ([?] in PROTOCOL.md §4.4; the official client
// only counts them): the simulator lists {name, serialNumber}.
func devicePlugin(name string, kind softtoken.DeviceKind, ru, uz string) *plugin {
	list, field := "list_tokens", "tokens"
	if kind == softtoken.IDCard {
		list, field = "list_readers", "readers"
	}
	unsupported := func(s *Server, c *call) ([]capiws.Member, error) {
		if _, err := s.store.FirstDevice(kind); err != nil {
			return nil, err
		}
		return nil, &softtoken.Failure{Status: capiws.StatusRuntime, Args: []string{reasonUnsupported}}
	}
	p := &plugin{name: name, desc: desc(ru, uz), funcs: []*function{
		{name: list, desc: "Возвращает подключенные устройства", run: func(s *Server, c *call) ([]capiws.Member, error) {
			var items []capiws.Value
			for _, d := range s.store.Devices(kind) {
				items = append(items, capiws.MakeObject(str("name", d.Name), str("serialNumber", d.Serial)))
			}
			return []capiws.Member{{Key: field, Value: capiws.MakeArray(items...)}}, nil
		}},
		{name: "personalize", desc: "Записывает сертификаты на устройство", args: []arg{{"pincode", "PIN-код", false},
			{"subject_certificate_64", "Сертификат владельца", false}, {"ca_certificate_64", "Сертификат ЦР", false},
			{"root_certificate_64", "Корневой сертификат", false}}, run: unsupported},
		{name: "clear_saved_pin_codes", desc: "Забывает сохраненные PIN-коды", run: func(s *Server, c *call) ([]capiws.Member, error) {
			s.store.ClearSavedPINs(kind)
			return nil, nil
		}},
	}}
	if kind == softtoken.IDCard {
		p.funcs = append(p.funcs, &function{name: "get_encrypted_signed_cplc", desc: "Возвращает данные карты для регистрации",
			args: []arg{{"nonce", "Одноразовое значение", false}}, run: unsupported})
	}
	return p
}

// ckcTypes are the type names list_ckc reports (the Didox sample shows
// "EIMZO"; the others are the simulator's choice).
var ckcTypes = map[softtoken.DeviceKind]string{softtoken.IDCard: "EIMZO", softtoken.BAIK: "BAIK", softtoken.UzGuard: "UZGUARD"}

func ckcPlugin() *plugin {
	kinds := deviceIDs["ckc"]
	return &plugin{name: "ckc", desc: desc("Совместимые криптоконтейнеры", "Mos kriptokonteynerlar"), funcs: []*function{
		{name: "list_ckc", desc: "Возвращает подключенные криптоконтейнеры", run: func(s *Server, c *call) ([]capiws.Member, error) {
			var items []capiws.Value
			for _, d := range s.store.Devices(kinds...) {
				items = append(items, capiws.MakeObject(str("type", ckcTypes[d.Kind]), str("deviceID", d.Name)))
			}
			return []capiws.Member{{Key: "devices", Value: capiws.MakeArray(items...)}}, nil
		}},
		{name: "supported_ckc", desc: "Возвращает поддерживаемые типы", run: func(*Server, *call) ([]capiws.Member, error) {
			var list []capiws.Value
			for _, k := range kinds {
				list = append(list, capiws.MakeString(string(k)))
			}
			return []capiws.Member{{Key: "list", Value: capiws.MakeArray(list...)}}, nil
		}},
		{name: "clear_saved_pin_codes", desc: "Забывает сохраненные PIN-коды", run: func(s *Server, c *call) ([]capiws.Member, error) {
			s.store.ClearSavedPINs(kinds...)
			return nil, nil
		}},
	}}
}

// ftjcPlugin is the legacy FT JavaCard token plugin of older daemons
// (PROTOCOL.md §4.4), in the v5 profile only.
func ftjcPlugin() *plugin {
	id := arg{"id", "Идентификатор ключа токена", false}
	pinType := arg{"pin_type", "Тип PIN-кода: 1", false}
	return &plugin{name: "ftjc", v5: true, desc: desc("Токены FT JavaCard", "FT JavaCard tokenlari"), funcs: []*function{
		{name: "list_all_keys", desc: "Возвращает ключи на токенах", args: []arg{{"except_cards", "Исключаемые карты", true}},
			run: func(s *Server, c *call) ([]capiws.Member, error) {
				var except []string
				if len(c.req.Arguments) > 0 && c.req.Arguments[0] != "" {
					except = strings.Split(c.req.Arguments[0], ",")
				}
				var items []capiws.Value
				for _, d := range s.store.Devices(softtoken.FTJC) {
					if contains(except, d.Serial) {
						continue
					}
					items = append(items, capiws.MakeObject(str("cardUID", d.Serial), str("statusInfo", "OK"),
						str("ownerName", capiws.ParseAlias(d.Alias).CN), str("info", d.Alias)))
				}
				return []capiws.Member{{Key: "tokens", Value: capiws.MakeArray(items...)}}, nil
			}},
		{name: "list_tokens", desc: "Возвращает подключенные токены", run: func(s *Server, c *call) ([]capiws.Member, error) {
			var items []capiws.Value
			for _, d := range s.store.Devices(softtoken.FTJC) {
				items = append(items, capiws.MakeObject(str("cardUID", d.Serial), str("statusInfo", "OK"), str("name", d.Name)))
			}
			return []capiws.Member{{Key: "tokens", Value: capiws.MakeArray(items...)}}, nil
		}},
		{name: "load_key", desc: "Загружает ключ токена", args: []arg{{"cardUID", "Идентификатор карты", false}}, key: keyBySerial,
			run: func(s *Server, c *call) ([]capiws.Member, error) {
				kid, err := s.store.LoadDevice(c.req.Arguments[0])
				if err != nil {
					return nil, err
				}
				return []capiws.Member{str("keyId", kid), str("type", string(softtoken.FTJCSession))}, nil
			}},
		{name: "unload_key", desc: "Выгружает ключ токена", args: []arg{id}, key: keyByID, run: func(s *Server, c *call) ([]capiws.Member, error) {
			return nil, s.store.Unload(c.req.Arguments[0], softtoken.FTJCSession)
		}},
		{name: "verify_pin", desc: "Проверяет PIN-код токена", args: []arg{id, pinType}, key: keyByID, run: (*Server).tokenPIN},
		{name: "change_pin", desc: "Меняет PIN-код токена (симулятор проверяет текущий и оставляет его)", args: []arg{id, pinType}, key: keyByID, run: (*Server).tokenPIN},
	}}
}

func (s *Server) tokenPIN(c *call) ([]capiws.Member, error) {
	d, err := s.store.DeviceOf(c.req.Arguments[0])
	if err != nil {
		return nil, err
	}
	_, err = s.store.UnlockDevice(c.ctx, d)
	return nil, err
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if strings.EqualFold(strings.TrimSpace(x), s) {
			return true
		}
	}
	return false
}
